"""Headless Chromium screenshot of an Odoo page, logged in (for looking at what a user sees).

usage: .venv/bin/python tools/screenshot.py URL_PATH OUT.png [--login admin --password admin]
       [--db billing_demo] [--base http://127.0.0.1:8069] [--wait 6] [--click "CSS selector"]...
       [--debug-port 9333]
A portal user logs in the same way (--login/--password), e.g. for /my/billing.
"""
import argparse
import base64
import json
import subprocess
import tempfile
import time
import urllib.request

import requests
import websocket


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("out")
    parser.add_argument("--base", default="http://127.0.0.1:8069")
    parser.add_argument("--db", default="billing_demo")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--wait", type=float, default=6.0)
    parser.add_argument("--click", action="append", default=[])
    parser.add_argument("--size", default="1440,1000")
    parser.add_argument("--debug-port", type=int, default=9333, help="Chromium's DevTools port (one per helper)")
    args = parser.parse_args()

    session = requests.Session()
    response = session.post(f"{args.base}/web/session/authenticate", json={
        "jsonrpc": "2.0", "params": {"db": args.db, "login": args.login, "password": args.password}}, timeout=30)
    response.raise_for_status()
    sid = session.cookies.get("session_id")

    port = args.debug_port
    profile = tempfile.mkdtemp()
    chrome = subprocess.Popen([
        "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", f"--remote-debugging-port={port}", f"--window-size={args.size}",
        "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _i in range(50):
            try:
                targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json", timeout=2))
                page = next(t for t in targets if t["type"] == "page")
                break
            except Exception:
                time.sleep(0.2)
        ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30)
        counter = iter(range(1, 10_000))

        def call(method, **params):
            msg_id = next(counter)
            ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
            while True:
                msg = json.loads(ws.recv())
                if msg.get("id") == msg_id:
                    return msg.get("result", {})

        call("Network.enable")
        call("Network.setCookie", name="session_id", value=sid, url=args.base)
        width, height = (int(x) for x in args.size.split(","))
        call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)
        call("Page.navigate", url=args.base + args.path)
        time.sleep(args.wait)
        for selector in args.click:
            call("Runtime.evaluate", expression=f"document.querySelector({json.dumps(selector)}).click()")
            time.sleep(args.wait / 2)
        data = call("Page.captureScreenshot", format="png")["data"]
        with open(args.out, "wb") as handle:
            handle.write(base64.b64decode(data))
        print(args.out)
    finally:
        chrome.terminate()


if __name__ == "__main__":
    main()
