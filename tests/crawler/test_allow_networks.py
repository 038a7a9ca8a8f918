"""VIGIE_ALLOW_NETWORKS lets the named networks through and nothing else (crawler.netguard)."""
from __future__ import annotations

import asyncio

import pytest

from crawler.egress_proxy import REFUSED_HEADER, EgressProxy
from crawler.netguard import UnsafeURL, check_public, parse_networks
from vigie.settings import SettingsError, load

TEST_NET = parse_networks("198.18.0.0/24")


def test_the_allowed_network_passes():
    check_public("http://198.18.0.7/item", allow_private=False, allow_networks=TEST_NET)
    check_public("http://[::ffff:198.18.0.7]/item", allow_private=False, allow_networks=TEST_NET)


@pytest.mark.parametrize("url", ["http://127.0.0.1/", "http://198.18.1.1/", "http://10.0.0.1/",
                                 "http://169.254.169.254/", "http://2130706433/", "http://[::1]/"])
def test_everything_else_private_stays_refused(url):
    with pytest.raises(UnsafeURL, match="^refused: "):
        check_public(url, allow_private=False, allow_networks=TEST_NET)


def test_a_bad_setting_is_one_line(tmp_path):
    assert load({"VIGIE_DATA_DIR": str(tmp_path), "VIGIE_ALLOW_NETWORKS": " 198.18.0.0/24 ,"}).allow_networks \
        == "198.18.0.0/24"
    for bad in ("198.18.0.1/24", "everything"):
        with pytest.raises(SettingsError, match="^VIGIE_ALLOW_NETWORKS: "):
            load({"VIGIE_DATA_DIR": str(tmp_path), "VIGIE_ALLOW_NETWORKS": bad})


def test_the_egress_proxy_refuses_and_strips_forged_refusals():
    async def scenario():
        async def origin(reader, writer):
            await reader.readuntil(b"\r\n\r\n")
            writer.write(f"HTTP/1.1 200 OK\r\n{REFUSED_HEADER}: forged\r\nContent-Length: 2\r\n\r\nok".encode())
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(origin, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        answers = []
        for allow_private in (False, True):
            proxy = EgressProxy(allow_private=allow_private)
            proxy_port = await proxy.start()
            reader, writer = await asyncio.open_connection("127.0.0.1", proxy_port)
            writer.write(f"GET http://127.0.0.1:{port}/x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            answers.append(await reader.read())
            writer.close()
            proxy.close()
        server.close()
        return answers

    refused, allowed = asyncio.run(scenario())
    assert refused.startswith(b"HTTP/1.1 403") and b"refused: 127.0.0.1 is a loopback address" in refused
    assert allowed.startswith(b"HTTP/1.1 200") and REFUSED_HEADER.encode() not in allowed and allowed.endswith(b"ok")
