"""The fake Bot API server itself: HTTP bodies, long polling, every fault it injects, its command line."""

from __future__ import annotations

import asyncio
import json
import select
import signal
import socket
import subprocess
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio

from tests.conftest import PYTHON, ROOT
from tests.fake_bot_api import GARBAGE_BODY, FakeBotApi

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def api():
    server = await FakeBotApi().start()
    yield server
    await server.stop()


@pytest_asyncio.fixture
async def client():
    async with aiohttp.ClientSession() as session:
        yield session


def method_url(api: FakeBotApi, method: str) -> str:
    return f"{api.base_url}{api.token}/{method}"


async def send(client: aiohttp.ClientSession, api: FakeBotApi, text: str = "hello", **options):
    """POST sendMessage as a form; returns (status, body text)."""
    async with client.post(method_url(api, "sendMessage"), data={"chat_id": "7", "text": text}, **options) as reply:
        return reply.status, await reply.text()


async def test_json_form_multipart_and_chunked_bodies_are_read_alike(api, client):
    url = method_url(api, "sendMessage")
    multipart = aiohttp.FormData()
    multipart.add_field("chat_id", "7")
    multipart.add_field("text", "as multipart")
    multipart.add_field("document", b"file bytes", filename="a.txt")  # a file part makes it multipart

    async def chunks():
        yield b"chat_id=7&text=as+"
        yield b"chunks"

    statuses = []
    for body in ({"json": {"chat_id": 7, "text": "as JSON"}}, {"data": {"chat_id": "7", "text": "as a form"}},
                 {"data": multipart},
                 {"data": chunks(), "headers": {"Content-Type": "application/x-www-form-urlencoded"}}):
        async with client.post(url, **body) as reply:
            statuses.append(reply.status)
    query = await client.post(f"{url}?chat_id=7&text=in+the+query")
    assert statuses == [200] * 4 and query.status == 200
    assert [m.text for m in api.messages_to(7)] == ["as JSON", "as a form", "as multipart", "as chunks",
                                                    "in the query"]
    assert "document" not in api.calls_of("sendMessage")[2].params


async def test_an_unparsable_body_an_unknown_method_and_an_unknown_path_are_refused(api, client):
    bad_json = await client.post(method_url(api, "sendMessage"), data=b"{not json",
                                 headers={"Content-Type": "application/json"})
    unknown_method = await client.post(method_url(api, "sendCarrierPigeon"))
    unknown_path = await client.get(f"http://127.0.0.1:{api.port}/elsewhere")
    assert bad_json.status == 400 and (await bad_json.json())["ok"] is False
    assert (unknown_method.status, (await unknown_method.json())["description"]) == (404, "Not Found: method not found")
    assert unknown_path.status == 404 and (await unknown_path.json())["ok"] is False
    assert api.messages == []


async def test_get_updates_waits_for_an_update_then_answers_at_once(api, client):
    poll = asyncio.create_task(client.post(method_url(api, "getUpdates"), data={"timeout": "30"}))
    await api.wait_for(lambda: api.calls_of("getUpdates"))
    await asyncio.sleep(0.05)
    assert not poll.done()  # long polling: nothing to give yet
    message_id = api.send_text(7, "are you there?")
    reply = await asyncio.wait_for(poll, 10)
    assert [u["message"]["message_id"] for u in (await reply.json())["result"]] == [message_id]


async def test_stopping_the_server_ends_a_pending_long_poll_with_no_updates(client):
    api = await FakeBotApi().start()
    poll = asyncio.create_task(client.post(method_url(api, "getUpdates"), data={"timeout": "30"}))
    await api.wait_for(lambda: api.calls_of("getUpdates"))
    await api.stop()
    reply = await asyncio.wait_for(poll, 10)
    assert reply.status == 200 and (await reply.json())["result"] == []


async def test_an_injected_status_answers_that_many_calls_then_the_method_works(api, client):
    api.inject_fault("sendMessage", status=502, times=2)
    api.inject_fault("sendMessage", retry_after=3)
    async with client.post(method_url(api, "getMe")) as reply:  # other methods are not touched
        assert reply.status == 200
    statuses = [(await send(client, api))[0] for _ in range(4)]
    assert statuses == [502, 502, 429, 200] and len(api.messages) == 1
    assert [c.fault for c in api.calls_of("sendMessage")] == ["status", "status", "status", None]


async def test_a_429_says_when_to_retry(api, client):
    api.inject_fault("sendMessage", retry_after=7)
    async with client.post(method_url(api, "sendMessage"), data={"chat_id": "7", "text": "x"}) as reply:
        body = await reply.json()
    assert reply.status == 429 and body["parameters"] == {"retry_after": 7} and body["error_code"] == 429


async def test_a_dropped_call_gets_no_answer_and_is_not_processed(api, client):
    api.inject_fault("sendMessage", drop=True)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await send(client, api)
    assert api.messages == []
    assert [(c.status, c.fault) for c in api.calls_of("sendMessage")] == [(0, "drop")]
    assert (await send(client, api))[0] == 200  # the next call, on a new connection, works


async def test_garbage_is_a_200_that_is_not_the_bot_apis_json_and_sends_nothing(api, client):
    api.inject_fault("sendMessage", garbage=True)
    async with client.post(method_url(api, "sendMessage"), data={"chat_id": "7", "text": "x"}) as reply:
        body = await reply.text()
        content_type = reply.content_type
    assert reply.status == 200 and body == GARBAGE_BODY and content_type == "text/html"
    with pytest.raises(ValueError):
        json.loads(body)
    assert api.messages == []
    assert [(c.status, c.fault) for c in api.calls_of("sendMessage")] == [(200, "garbage")]


async def test_a_slow_send_keeps_the_bot_waiting_and_is_still_delivered_when_it_gives_up(api, client):
    api.inject_fault("sendMessage", delay=1.0)
    with pytest.raises(asyncio.TimeoutError):
        await send(client, api, "slow one", timeout=aiohttp.ClientTimeout(total=0.2))
    assert api.messages == []  # still waiting on the server's side
    delivered = await api.wait_for(lambda: api.messages_to(7))
    assert [m.text for m in delivered] == ["slow one"]  # as Telegram may deliver what timed out
    assert [(c.status, c.fault) for c in api.calls_of("sendMessage")] == [(200, "slow")]


async def test_a_delay_before_a_status_fault_is_a_late_error(api, client):
    api.inject_fault("sendMessage", status=504, delay=0.3)
    status, _ = await send(client, api)
    assert status == 504 and api.messages == []


async def test_a_lasting_fault_holds_for_every_call_until_cleared(api, client):
    api.inject_fault("getMe", status=503, times=None)
    statuses = []
    for _ in range(3):
        async with client.post(method_url(api, "getMe")) as reply:
            statuses.append(reply.status)
    api.clear_faults("getMe")
    async with client.post(method_url(api, "getMe")) as reply:
        statuses.append(reply.status)
    assert statuses == [503, 503, 503, 200]


async def test_the_fault_endpoint_injects_a_fault_for_people_trying_the_bot(api, client):
    base = f"http://127.0.0.1:{api.port}/_fake/fault"
    injected = await client.post(base, data=b'{"method": "sendMessage", "status": 502}')
    refused = await client.post(base, data=b'{"method": "sendMessage", "volume": 11}')
    not_json = await client.post(base, data=b"sendMessage please")
    assert injected.status == 200 and refused.status == 400 and not_json.status == 400
    assert (await send(client, api))[0] == 502
    assert (await send(client, api))[0] == 200


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def first_line(process: subprocess.Popen, timeout: float = 30) -> str:
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    return process.stdout.readline() if ready else ""


def serve_by_hand(port: int) -> subprocess.Popen:
    return subprocess.Popen([PYTHON, str(Path(ROOT, "tests", "fake_bot_api.py")), "--port", str(port)], cwd="/",
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


async def test_run_by_hand_it_serves_until_sigterm_and_a_taken_port_is_one_line(client):
    port = free_port()
    server = serve_by_hand(port)
    try:
        line = first_line(server)
        assert line.startswith(f"fake Bot API on http://127.0.0.1:{port}/bot")
        async with client.post(f"http://127.0.0.1:{port}/bot123456789:fake-token-for-tests-0123456789abcdef/getMe") as r:
            assert (await r.json())["result"]["is_bot"] is True
        second = serve_by_hand(port)
        _, err = second.communicate(timeout=30)
        assert second.returncode != 0
        assert err.splitlines() == [f"fake Bot API: cannot listen on 127.0.0.1:{port}: Address already in use"]
        server.send_signal(signal.SIGTERM)
        _, err = server.communicate(timeout=10)
        assert server.returncode == 0 and err == ""
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
