"""What the interop scripts share: one line per check, and the first failure ends the run."""

import sys


def check(condition, what, got=None):
    if not condition:
        print(f"FAIL {what}" + ("" if got is None else f"\n  got: {got!r}"))
        sys.exit(1)
    print(f"ok   {what}")


def interrupted(manager, client, code, wait):
    """Run `code`, interrupt the kernel after `wait` seconds: the reply to that cell, and the
    seconds from the interrupt to the reply."""
    import time

    msg_id = client.execute(code)
    time.sleep(wait)
    started = time.time()
    manager.interrupt_kernel()
    reply = client.get_shell_msg(timeout=30)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = client.get_shell_msg(timeout=30)
    return reply, time.time() - started
