"""The diff engine: pure functions from (state, observation, policy, now) to (state, events)."""
from detector.engine import detect
from detector.model import Event, EventKind, ListingState, Observation, Offer, Outcome, Policy

__all__ = ["Event", "EventKind", "ListingState", "Observation", "Offer", "Outcome", "Policy", "detect"]
