"""A scripted chat model: the only fake in the suite, standing in for the LLM's text; and helpers for the real
servers the tests start (a free port, waiting until one answers)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, SystemMessage
from langchain_core.outputs import ChatGeneration, ChatResult

ROLES = {"planner": "You are the pension advisor's planner", "writer": "You are the pension advisor's writer",
         "reviewer": "You are the pension advisor's reviewer", "scorer": "You are the pension advisor's quality scorer"}


def echo_facts(system: str) -> str:
    """What a good writer drafts: each fact of the writer prompt stated under its own label, with its [n] mark
    ("Preservation age: 58 years [1]."). The pre-check rejects a draft that states none of the figures asked for."""
    lines = re.findall(r"^\[(\d+)\] (?!Rule \()(.+?)$", system, re.MULTILINE)
    sentences = [f"{re.sub(r' [(]from your record as of [^)]*[)]$', '', text).rstrip('.')} [{n}]." for n, text in lines]
    return " ".join(sentences) or "The rules below explain this [1]."


def good_writer(messages) -> str:
    """A writer reply (``echo_facts``) for a request's messages: LangChain messages or OpenAI-style dicts."""
    system = next((m.content if hasattr(m, "content") else m.get("content") for m in messages
                   if getattr(m, "type", None) == "system" or (isinstance(m, dict) and m.get("role") == "system")), "")
    return echo_facts(str(system or ""))


class ScriptedChatModel(BaseChatModel):
    """Replies by role (planner / writer / reviewer, told apart by the system prompt).

    Each role's script is a list consumed in order; its last entry repeats. An entry is reply text, an
    AIMessage (for tool calls), an Exception to raise, or a function of the messages returning the text
    (``good_writer``).
    """

    script: dict[str, list[Any]]
    calls: list[dict[str, Any]] = []

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def role_of(self, messages: list[BaseMessage]) -> str:
        system = next((m.content for m in messages if isinstance(m, SystemMessage)), "")
        return next(role for role, opening in ROLES.items() if system.startswith(opening))

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        role = self.role_of(messages)
        self.calls.append({"role": role, "messages": messages, "kwargs": kwargs})
        queue = self.script.get(role) or [""]
        reply = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(reply, Exception):
            raise reply
        if callable(reply):
            reply = reply(messages)
        message = reply if isinstance(reply, AIMessage) else AIMessage(content=reply)
        return ChatResult(generations=[ChatGeneration(message=message)])

    def bind_tools(self, tools, **kwargs):
        return self.bind(tool_names=[t.name for t in tools])

    def role_calls(self, role: str) -> list[dict[str, Any]]:
        return [c for c in self.calls if c["role"] == role]


def free_port() -> int:
    """A TCP port free on loopback right now, for servers the tests start."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_group(proc, grace_s: float = 20) -> None:
    """Stop a server the test started in its own session (``start_new_session=True``) with its children: SIGTERM,
    then SIGKILL if it has not exited within ``grace_s``."""
    for sig, wait_s in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(wait_s)
            return
        except subprocess.TimeoutExpired:
            continue


def wait_for_http(url: str, proc, log: Path, timeout_s: float = 90, what: str = "server") -> float:
    """Wait until GET ``url`` answers 200 from the process the test started; its log tail explains a failure.
    Returns the seconds it took."""
    started = time.time()
    while time.time() < started + timeout_s:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return time.time() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{what} did not answer {url} within {timeout_s:.0f}s:\n{log.read_text()[-3000:]}")
