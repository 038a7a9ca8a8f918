"""Cluster mode (`VIGIE_QUEUE_URL`): several `vigie run` nodes share one PostgreSQL store and one queue.

The engine is Dramatiq on Redis: it carries each due check to exactly one node, gives a dead node's
unacknowledged checks to another once its heartbeat is older than the node timeout, delays messages,
and its rate limiters keep each marketplace's pace global. The store adds what a queue that delivers
at least once cannot: a claim per due slot (cluster.claims), so a redelivered check records nothing.
"""
