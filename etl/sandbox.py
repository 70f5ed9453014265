"""Untrusted files are parsed in a child process, never in the server's own.

A workbook or CSV that the cheap checks in etl.intake let through can still make a parser
misbehave: calamine aborts the whole process when an allocation fails, and no ``except`` can
catch that. So every file an office uploads or loads is read by ``read_file_isolated``: a
child Python process (``python -m etl.sandbox``) with an address-space limit and a CPU-time
limit (setrlimit) and a wall-clock timeout, that sends back the reader's sheets or its
ReadError message. A crash, a limit or a hang becomes a clear refusal in Chinese; the
dashboard and the CLI carry on. A fresh process per file costs about 0.2 s.
"""

from __future__ import annotations

import pickle
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from etl.intake import ReadError

ROOT = Path(__file__).resolve().parent.parent

# A 20 MB list reads in a few seconds and a few hundred megabytes; these limits leave room to
# spare and still stop a file long before it hurts the machine or the other users.
DEFAULT_MEMORY_BYTES = 3 * 1024**3
DEFAULT_SECONDS = 60.0

UNSAFE = "文件无法安全读取（{why}），已拒绝；请用Excel或WPS打开后另存为 .xlsx 再上传，或把文件分成几个较小的文件"


@dataclass(frozen=True)
class Limits:
    memory_bytes: int = DEFAULT_MEMORY_BYTES
    seconds: float = DEFAULT_SECONDS


def read_file_isolated(data: bytes, file_name: str, sheet: str | None = None, limits: Limits | None = None) -> list:
    """What etl.reader.read_file returns (its Sheets), computed in a child process under
    limits. Raises ReadError, and nothing else, for any file it cannot read safely."""
    limits = limits or Limits()
    command = [sys.executable, "-m", "etl.sandbox", str(limits.memory_bytes), str(int(limits.seconds) + 1)]
    child = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = child.communicate(pickle.dumps((data, file_name, sheet)), timeout=limits.seconds)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise ReadError(f"{file_name}：" + UNSAFE.format(why=f"读取超过{limits.seconds:g}秒的时间上限")) from None
    if child.returncode != 0 or not out:
        why = "读取时超出内存或时间上限" if child.returncode < 0 or b"MemoryError" in err else "读取程序异常退出"
        raise ReadError(f"{file_name}：" + UNSAFE.format(why=why))
    outcome, payload = pickle.loads(out)  # our own child's answer: sheets or a message
    if outcome == "sheets":
        return payload
    raise ReadError(payload)


def _serve_one(memory_bytes: int, cpu_seconds: int) -> None:
    """The child: limits first, then read the one request on stdin, answer on stdout."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    from etl.reader import read_file

    data, file_name, sheet = pickle.loads(sys.stdin.buffer.read())
    try:
        answer = ("sheets", read_file(data, file_name, sheet))
    except ReadError as error:
        answer = ("refused", str(error))
    except MemoryError:
        answer = ("refused", f"{file_name}：" + UNSAFE.format(why="读取时超出内存上限"))
    except Exception as error:  # a parser's bug is still this file's refusal, never the server's crash
        answer = ("refused", f"{file_name}：" + UNSAFE.format(why=f"读取出错：{type(error).__name__}"))
    sys.stdout.buffer.write(pickle.dumps(answer))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    _serve_one(int(sys.argv[1]), int(sys.argv[2]))
