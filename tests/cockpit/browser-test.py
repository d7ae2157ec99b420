#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The Cockpit page in Debian's chromium, driven through chromedriver, against
the real wand and polkitd (run by cockpit-test.sh inside tests/system/setup.sh).

Each check prints "ok: ..." or "FAIL: ..."; the exit status is 1 if any failed.
Errors are provoked behind the page's back: the page's bridge is stopped
(SIGSTOP) while the state changes by another caller and the button is clicked,
then let go, so the click reaches wand after the change, as it would from a
page that had not heard of it yet. Nothing here waits for a fixed time: every
wait is for a condition, with a generous limit."""

import argparse
import json
import os
import signal
import subprocess
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

W = "org.wand.Router1"
M = "/org/wand/Router1"
MI = W + ".Manager"
I = W + ".Interface"
E = W + ".Error."
PAGE = "/cockpit/@localhost/wand/index.html"
WAIT = 20.0  # seconds: a limit for conditions, never a pause

failures = 0
figures = {}


def check(what, ok, detail=""):
    global failures
    if ok:
        print(f"ok: {what}" + (f": {detail}" if detail else ""), flush=True)
    else:
        failures += 1
        print(f"FAIL: {what}" + (f": {detail}" if detail else ""), flush=True)
    return ok


def path_of(name):
    """sd_bus_path_encode(): [A-Za-z0-9] as they are, the rest _xx."""
    label = "".join(c if c.isascii() and c.isalnum() else "_%02x" % ord(c) for c in name)
    return f"{M}/interface/{label}"


# ------------------------------------------------------------------ the bus

def gdbus(path, method, *args):
    """Calls as root, behind the page's back: (True, reply) or (False, (name, message))."""
    out = subprocess.run(["gdbus", "call", "--system", "--timeout", "60", "--dest", W,
                          "--object-path", path, "--method", method, *args],
                         capture_output=True, text=True)
    if out.returncode == 0:
        return True, out.stdout.strip()
    text = out.stderr.strip()
    prefix = "GDBus.Error:"
    at = text.find(prefix)
    if at < 0:
        return False, ("?", text)
    rest = text[at + len(prefix):]
    name, _, message = rest.partition(": ")
    return False, (name, message.strip())


def list_interfaces():
    out = subprocess.run(["busctl", "--system", "--json=short", "call", W, M, MI, "ListInterfaces"],
                         capture_output=True, text=True, check=True)
    return [(n, p, s) for n, p, s in json.loads(out.stdout)["data"][0]]


def prop(name, key):
    out = subprocess.run(["busctl", "--system", "--json=short", "get-property", W, path_of(name), I, key],
                         capture_output=True, text=True)
    return json.loads(out.stdout)["data"] if out.returncode == 0 else None


def link_up(dev):
    out = subprocess.run(["ip", "-j", "link", "show", "dev", dev], capture_output=True, text=True)
    if out.returncode != 0:
        return None
    return "UP" in json.loads(out.stdout)[0]["flags"]


def ip(*args):
    subprocess.run(["ip", *args], check=True)


def wait_for(what, cond, limit=WAIT):
    end = time.monotonic() + limit
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > end:
            check(f"{what} (waited {limit:.0f} s)", False)
            return value
        time.sleep(0.01)


# ------------------------------------------------------------------ wand itself

wand = {"pid": None, "process": None}  # the wand running now


def on_bus():
    out = subprocess.run(["busctl", "--system", "--json=short", "call", "org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus", "NameHasOwner", "s", W], capture_output=True, text=True)
    return out.returncode == 0 and json.loads(out.stdout)["data"][0]


def stop_wand():
    os.kill(wand["pid"], signal.SIGTERM)
    if wand["process"]:
        wand["process"].wait(timeout=WAIT)
    wait_for("wand left the bus", lambda: not on_bus())


def start_wand():
    """/usr/sbin/wand again, as root; cockpit-test.sh stops the last one
    (wand-restarted.pid)."""
    run = os.environ["WAND_SYSTEM_DIR"]
    wand["process"] = subprocess.Popen(["/usr/sbin/wand"], stdout=open(run + "/wand-restarted.log", "a"),
                                       stderr=subprocess.STDOUT, start_new_session=True)
    wand["pid"] = wand["process"].pid
    with open(run + "/wand-restarted.pid", "w") as f:
        f.write(str(wand["pid"]))
    wait_for("wand on the bus again", on_bus)


# ------------------------------------------------------------------ the browser

class Page:
    """One chromium, on the page of one cockpit-ws."""

    def __init__(self, base, ws_pid, artifacts, who):
        self.base = base
        self.ws_pid = ws_pid
        self.artifacts = artifacts
        self.who = who
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        # --no-sandbox: chromium's sandbox refuses to run as root.
        for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                  "--window-size=1400,900", "--lang=en-US", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update"):
            options.add_argument(a)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        self.console = []

    def bridge_pid(self):
        out = subprocess.run(["pgrep", "-P", str(self.ws_pid), "-x", "cockpit-bridge"],
                             capture_output=True, text=True)
        pids = out.stdout.split()
        return int(pids[0]) if pids else None

    def open(self, url=PAGE):
        start = time.monotonic()
        self.driver.get(self.base + url)
        return start

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def page_state(self):
        return self.js("return document.body.dataset.page || ''")

    def wait_ready(self):
        return wait_for(f"{self.who}: the page is ready", lambda: self.page_state() == "ready")

    def rows(self):
        """[(name, device, state, enabled, persistent, lasterror)] as shown."""
        return self.js("""
            return Array.from(document.querySelectorAll('#rows tr')).map(tr => [
                tr.dataset.name, tr.querySelector('.wand-col-device').textContent,
                tr.dataset.state, tr.querySelector('.wand-col-enabled').textContent,
                tr.querySelector('.wand-col-persistent').textContent,
                tr.querySelector('.wand-col-lasterror').title]);""")

    def row(self, name):
        """One row, as rows() shows it, or None (cheap: a thousand rows are
        not read to find one)."""
        return self.js("""
            const tr = document.querySelector('#rows tr[data-name="' + arguments[0] + '"]');
            if (!tr) return null;
            return [tr.dataset.name, tr.querySelector('.wand-col-device').textContent,
                tr.dataset.state, tr.querySelector('.wand-col-enabled').textContent,
                tr.querySelector('.wand-col-persistent').textContent,
                tr.querySelector('.wand-col-lasterror').title];""", name)

    def row_state(self, name):
        return self.js("""
            const tr = document.querySelector('#rows tr[data-name="' + arguments[0] + '"]');
            return tr ? tr.dataset.state : null;""", name)

    def row_count(self):
        return self.js("return document.querySelectorAll('#rows tr').length")

    def flush_mark(self, count):
        """When (ms since navigation, the page's clock) the table first had COUNT rows."""
        return self.js("""
            for (const e of performance.getEntriesByName('wand-flush'))
                if (e.detail === arguments[0]) return Math.round(e.startTime);
            return null;""", count)

    def button(self, name, action):
        return self.driver.find_element(By.CSS_SELECTOR, f'#rows tr[data-name="{name}"] button[data-action="{action}"]')

    def click(self, name, action):
        self.button(name, action).click()

    def alert(self, error_name):
        """The newest alert for ERROR_NAME: {title, message, extra} or None."""
        return self.js("""
            const box = document.querySelector('.wand-alert[data-error-name="' + arguments[0] + '"]');
            if (!box) return null;
            const t = s => { const e = box.querySelector(s); return e ? e.textContent : ''; };
            return {title: t('.wand-alert-title'), message: t('.wand-alert-message'),
                    extra: t('.wand-alert-extra'), name: t('.wand-error-name'), id: box.id};""", error_name)

    def clear_alerts(self):
        self.js("document.querySelectorAll('.wand-alert').forEach(e => e.remove())")

    def freeze(self):
        """Stops the page's bridge: what happens now is not heard of."""
        self.frozen = self.bridge_pid()
        os.kill(self.frozen, signal.SIGSTOP)

    def thaw(self):
        os.kill(self.frozen, signal.SIGCONT)

    def shot(self, name):
        path = os.path.join(self.artifacts, f"{name}.png")
        self.driver.save_screenshot(path)
        print(f"screenshot: {path}", flush=True)
        return path

    def collect_console(self):
        for entry in self.driver.get_log("browser"):
            self.console.append(entry)

    def console_errors(self):
        self.collect_console()
        return [e for e in self.console if e["level"] == "SEVERE"]

    def quit(self):
        self.driver.quit()


# ------------------------------------------------------------------ the checks

def behind_the_back(page, name, action, change, expected, what, confirm=None):
    """The page shows NAME's ACTION button enabled; CHANGE happens while its
    bridge is stopped; the click reaches wand after it: the alert shows
    EXPECTED with the service's own message."""
    page.clear_alerts()
    wait_for(f"{what}: the {action} button of {name} is enabled", lambda: page.button(name, action).is_enabled())
    page.freeze()
    try:
        change()
        page.click(name, action)
        if confirm:
            confirm()
    finally:
        page.thaw()
    alert = wait_for(f"{what}: an alert for {expected}", lambda: page.alert(E + expected if "." not in expected else expected))
    if alert:
        check(f"{what}: the alert names {expected}", alert["name"].endswith(expected), alert["name"])
        check(f"{what}: the alert shows the service's message", len(alert["message"]) > 10, alert["message"])
    return alert


def root_checks(page, args):
    # ---------------------------------------------------------- rows
    start = page.open()
    page.wait_ready()
    wait_for("rows shown", lambda: len(page.rows()) == len(list_interfaces()))
    shown = sorted((r[0], r[2]) for r in page.rows())
    listed = sorted((n, s) for n, _, s in list_interfaces())
    check("the rows match ListInterfaces()", shown == listed, str(shown))
    check("rows in ListInterfaces' order", [r[0] for r in page.rows()] == [n for n, _, _ in list_interfaces()])
    check("the manager state is shown", page.js("return document.getElementById('manager-state').textContent") == "running")
    page.shot("01-interfaces")

    # ---------------------------------------------------------- connect, disconnect
    page.click("wan0", "connect")
    wait_for("Connect click: wan0 connected", lambda: page.row_state("wan0") == "connected")
    check("Connect click: link wan0 up", link_up("wan0") is True)
    check("Connect click: 'since' says when", page.js(
        "return document.querySelector('#rows tr[data-name=\"wan0\"] .wand-col-since').textContent") == "just now")

    # Progress while Connect blocks: site-b without carrier stays connecting.
    ip("link", "set", "site-b-peer", "down")
    page.click("site-b", "connect")
    wait_for("Connect click on site-b without carrier: connecting", lambda: page.row_state("site-b") == "connecting")
    b = page.button("site-b", "connect")
    check("while Connect blocks, its button shows progress",
          b.get_attribute("aria-busy") == "true" and "Connecting" in b.text, b.text)
    page.shot("02-connect-in-progress")
    ip("link", "set", "site-b-peer", "up")
    wait_for("site-b connected once the peer has carrier", lambda: page.row_state("site-b") == "connected")
    wait_for("the Connect button is back", lambda: page.button("site-b", "connect").get_attribute("aria-busy") is None)
    check("no alert after a Connect that succeeded", page.js("return document.querySelectorAll('.wand-alert').length") == 0)

    page.click("wan0", "disconnect")
    wait_for("Disconnect click: wan0 disconnected", lambda: page.row_state("wan0") == "disconnected")
    check("Disconnect click: link wan0 down", link_up("wan0") is False)

    # ---------------------------------------------------------- from outside
    ok, _ = gdbus(path_of("wan0"), I + ".Connect")
    check("Connect wan0 from outside", ok)
    wait_for("the page shows wan0 connected", lambda: page.row_state("wan0") == "connected")
    t0 = time.monotonic()
    ip("link", "set", "wan0", "down")
    wait_for("ip link set down: wan0 disconnected on the page", lambda: page.row_state("wan0") == "disconnected")
    latency = time.monotonic() - t0
    figures["ip_link_down_to_page_ms"] = round(latency * 1000, 1)
    check("ip link set wan0 down shows within a second, without reload", latency < 1.0, f"{latency * 1000:.0f} ms")

    # ---------------------------------------------------------- create, validation
    before = list_interfaces()
    page.driver.find_element(By.ID, "create-open").click()
    name = page.driver.find_element(By.ID, "create-name")
    device = page.driver.find_element(By.ID, "create-device")
    name.send_keys("-bad name")
    device.send_keys("a/b:c")
    page.driver.find_element(By.ID, "create-submit").click()
    name_msg = page.js("return document.getElementById('create-name-error').textContent")
    device_msg = page.js("return document.getElementById('create-device-error').textContent")
    check("invalid name: a validation message", "Use only" in name_msg or "cannot start" in name_msg, name_msg)
    check("invalid device: a validation message", "“/”" in device_msg, device_msg)
    page.shot("03-create-validation")
    check("nothing was sent: no interface created", list_interfaces() == before)
    for value, expect in (("x" * 65, "at most 64"), (".hidden", "cannot start"), ("ok_name.1", "")):
        name.clear()
        name.send_keys(value)
        page.driver.find_element(By.ID, "create-submit").click()
        msg = page.js("return document.getElementById('create-name-error').textContent")
        check(f"name {value[:12]!r}: {expect or 'accepted'}", (expect in msg) if expect else msg == "", msg)
    for value, expect in (("abcdefghijklmnop", "15 bytes"), ("a b", "spaces"), ("..", "not device names")):
        device.clear()
        device.send_keys(value)
        page.driver.find_element(By.ID, "create-submit").click()
        msg = page.js("return document.getElementById('create-device-error').textContent")
        check(f"device {value!r}: {expect}", expect in msg, msg)

    # InterfaceAlreadyExists: the service's answer, shown in the dialog.
    name.clear()
    name.send_keys("wan0")
    device.clear()
    device.send_keys("wan9")
    page.driver.find_element(By.ID, "create-submit").click()
    alert = wait_for("create wan0 again: InterfaceAlreadyExists", lambda: page.alert(E + "InterfaceAlreadyExists"))
    if alert:
        ok, (ename, emsg) = gdbus(M, MI + ".CreateInterface", "wan0", "{'Device': <'wan9'>}")
        check("InterfaceAlreadyExists: the service's message", alert["message"] == emsg, alert["message"])
    page.shot("04-create-already-exists")

    # A dialer that fails: created through the form.
    name.clear()
    name.send_keys("dialer")
    device.clear()
    device.send_keys("ppp9")
    page.driver.find_element(By.ID, "create-connect").send_keys("/bin/sh -c 'echo no carrier >&2; exit 3'")
    page.driver.find_element(By.ID, "create-submit").click()
    wait_for("created 'dialer' appears", lambda: page.row("dialer") is not None)
    wait_for("the dialog closes once CreateInterface() replied",
             lambda: not page.js("return document.getElementById('create-dialog').open"))
    check("CreateInterface got the command split as a shell does",
          "dialer" in [n for n, _, _ in list_interfaces()])
    page.clear_alerts()

    # ConnectionFailed from a failing dialer.
    page.click("dialer", "connect")
    alert = wait_for("Connect dialer: ConnectionFailed", lambda: page.alert(E + "ConnectionFailed"))
    if alert:
        check("ConnectionFailed: the service's message", len(alert["message"]) > 10, alert["message"])
    wait_for("LastError shown", lambda: (page.row("dialer") or [""] * 6)[5] == E + "ConnectionFailed")
    # Issue 22: why, in words (the dialer exited with status 3).
    wait_for("LastErrorReason shown", lambda: page.js(
        "const c = document.querySelector('#rows tr[data-name=\"dialer\"] .wand-col-lasterror');"
        "return c ? [c.dataset.reason, c.textContent] : null;") == ["dialer-exited", "ConnectionFailed (dialer exited)"])
    page.shot("05-connection-failed")

    # ---------------------------------------------------------- create and delete
    page.driver.find_element(By.ID, "create-open").click()
    page.driver.find_element(By.ID, "create-name").send_keys("lab")
    page.driver.find_element(By.ID, "create-device").send_keys("lab0")
    page.driver.find_element(By.ID, "create-submit").click()
    wait_for("created 'lab' appears", lambda: page.row("lab") is not None)
    check("lab: no device, unreachable", page.row_state("lab") == "unreachable")
    page.click("lab", "delete")
    check("Delete asks first", page.js("return document.getElementById('delete-dialog').open"))
    page.shot("06-delete-confirm")
    page.driver.find_element(By.ID, "delete-confirm").click()
    wait_for("deleted 'lab' disappears", lambda: page.row("lab") is None)
    check("lab is gone from ListInterfaces()", "lab" not in [n for n, _, _ in list_interfaces()])

    # ---------------------------------------------------------- enable / disable
    page.click("wan0", "enable")
    wait_for("Disable click: wan0 disabled", lambda: (page.row("wan0") or [""] * 6)[3] == "no")
    wait_for("disabled wan0 is unreachable", lambda: page.row_state("wan0") == "unreachable")
    check("Enabled false on the bus", prop("wan0", "Enabled") is False)
    page.click("wan0", "enable")
    wait_for("Enable click: wan0 enabled", lambda: (page.row("wan0") or [""] * 6)[3] == "yes")
    wait_for("enabled wan0 is disconnected", lambda: page.row_state("wan0") == "disconnected")

    # ---------------------------------------------------------- errors behind the page's back
    page.clear_alerts()
    wan0 = path_of("wan0")
    behind_the_back(page, "wan0", "connect", lambda: gdbus(wan0, I + ".Connect"), "AlreadyConnected",
                    "AlreadyConnected")
    wait_for("wan0 shown connected after that", lambda: page.row_state("wan0") == "connected")
    behind_the_back(page, "wan0", "disconnect", lambda: gdbus(wan0, I + ".Disconnect"), "InterfaceNotConnected",
                    "InterfaceNotConnected")
    page.shot("07-interface-not-connected")
    wait_for("wan0 shown disconnected", lambda: page.row_state("wan0") == "disconnected")

    def confirm_delete():
        wait_for("delete dialog", lambda: page.js("return document.getElementById('delete-dialog').open"))
        page.driver.find_element(By.ID, "delete-confirm").click()

    behind_the_back(page, "wan0", "delete", lambda: gdbus(wan0, I + ".Connect"), "InterfaceConnected",
                    "InterfaceConnected", confirm=confirm_delete)
    check("wan0 still there", page.row("wan0") is not None and prop("wan0", "State") == "connected")
    ok, _ = gdbus(wan0, I + ".Disconnect")
    wait_for("wan0 shown disconnected", lambda: page.row_state("wan0") == "disconnected")

    # site-b is connected: disconnect it first, from outside.
    gdbus(path_of("site-b"), I + ".Disconnect")
    wait_for("site-b shown disconnected", lambda: page.row_state("site-b") == "disconnected")
    behind_the_back(page, "site-b", "connect", lambda: gdbus(path_of("site-b"), I + ".SetEnabled", "false"),
                    "InterfaceDisabled", "InterfaceDisabled")
    gdbus(path_of("site-b"), I + ".SetEnabled", "true")
    wait_for("site-b enabled again", lambda: page.row_state("site-b") == "disconnected")

    behind_the_back(page, "site-b", "connect", lambda: ip("link", "del", "site-b"), "InterfaceUnreachable",
                    "InterfaceUnreachable")
    wait_for("site-b unreachable (no device)", lambda: page.row_state("site-b") == "unreachable")
    ip("link", "add", "site-b", "type", "veth", "peer", "name", "site-b-peer")
    ip("link", "set", "site-b-peer", "up")
    wait_for("site-b disconnected again", lambda: page.row_state("site-b") == "disconnected")

    behind_the_back(page, "dialer", "connect", lambda: gdbus(path_of("dialer"), I + ".Delete"), "InvalidHandle",
                    "InvalidHandle")
    wait_for("the deleted dialer's row is gone", lambda: page.row("dialer") is None)

    behind_the_back(page, "wan0", "connect", lambda: gdbus(M, MI + ".StopDemandDialManager"),
                    "DemandDialManagerNotRunning", "DemandDialManagerNotRunning")
    wait_for("manager shown stopped",
             lambda: page.js("return document.getElementById('manager-state').textContent") == "stopped")
    wait_for("wan0 unreachable (service-stopped)", lambda: page.row_state("wan0") == "unreachable")
    page.shot("08-manager-stopped")
    check("Connect disabled while the manager is stopped", not page.button("wan0", "connect").is_enabled())
    page.driver.find_element(By.ID, "manager-toggle").click()
    wait_for("Start click: manager running",
             lambda: page.js("return document.getElementById('manager-state').textContent") == "running")
    check("DemandDialManager running on the bus", subprocess.run(
        ["busctl", "--system", "get-property", W, M, MI, "DemandDialManager"],
        capture_output=True, text=True).stdout.strip() == 's "running"')
    page.driver.find_element(By.ID, "manager-toggle").click()
    wait_for("Stop click: manager stopped",
             lambda: page.js("return document.getElementById('manager-state').textContent") == "stopped")
    page.driver.find_element(By.ID, "manager-toggle").click()
    wait_for("Start click again: manager running",
             lambda: page.js("return document.getElementById('manager-state').textContent") == "running")

    # ---------------------------------------------------------- reload
    with open("/etc/wand/interfaces/branch.conf", "w") as f:
        f.write("[Interface]\nDevice=branch0\nPersistent=yes\n")
    page.driver.find_element(By.ID, "reload").click()
    wait_for("Reload click: the new file's interface appears", lambda: page.row("branch") is not None)
    check("branch persistent", (page.row("branch") or [""] * 6)[4] == "yes")
    os.unlink("/etc/wand/interfaces/branch.conf")
    page.driver.find_element(By.ID, "reload").click()
    wait_for("Reload click: its file gone, it disappears", lambda: page.row("branch") is None)

    # ---------------------------------------------------------- wand gone and back
    if args.wand_pid:
        wand["pid"] = int(args.wand_pid)
        stop_wand()
        wait_for("wand gone: the page says so", lambda: page.page_state() == "not-running")
        text = page.js("return document.getElementById('page-message').textContent")
        check("the page-level message says wand is not running", "not running" in text, " ".join(text.split()))
        page.shot("09-wand-not-running")
        start_wand()
        page.wait_ready()
        wait_for("wand back: its rows are back", lambda: len(page.rows()) == len(list_interfaces()))
        check("rows after the restart match ListInterfaces()",
              sorted((r[0], r[2]) for r in page.rows()) == sorted((n, s) for n, _, s in list_interfaces()))

    # ---------------------------------------------------------- GetManagedObjects() refused
    if wand["pid"]:
        refused(page)

    # ---------------------------------------------------------- 1,000 interfaces
    thousand(page)

    # ---------------------------------------------------------- the shell's frame, for the README
    gdbus(wan0, I + ".Connect")
    page.driver.get(page.base + "/wand")
    frame = wait_for("the shell shows the page", lambda: page.driver.find_elements(By.CSS_SELECTOR, "iframe[name^='cockpit1:localhost/wand']"))
    if frame:
        page.driver.switch_to.frame(frame[0])
        page.wait_ready()
        wait_for("rows in the shell", lambda: page.row_state("wan0") == "connected")
        page.driver.switch_to.default_content()
        page.shot("10-in-cockpit-shell")

    errors = page.console_errors()
    check("no console errors (root)", not errors, json.dumps(errors)[:2000])


# A bridge that reports that GetManagedObjects() failed, as cockpit's Python
# bridge does (Debian 12's C bridge introspects the objects instead), played
# in the page before cockpit.js runs, on the page's channel to wand: the
# proxies' watch of the interfaces fails with LimitsExceeded, and the bridge
# passes on nothing of those objects (no "notify"), then or later. Its
# ListInterfaces() replies also list "ghost", an interface deleted before
# its GetAll() (wand answers InvalidHandle).
PYTHON_BRIDGE_REFUSED = r"""
(() => {
    const NS = "/org/wand/Router1";
    const opened = new Set(), watches = new Set(), lists = new Set(), injected = new Set();
    const seen = window.wandTestBridge = { refused: 0, ghosts: 0, dropped: 0 };
    let real;
    function install(ck) {
        ck.transport.filter((data, channel, control) => {
            if (control && control.command === "open" && control.payload === "dbus-json3" &&
                control.name === "org.wand.Router1")
                opened.add(control.channel);
            if (!channel || !opened.has(channel) || typeof data !== "string")
                return true;
            const msg = JSON.parse(data.slice(channel.length + 1));
            if (msg.watch && msg.watch.path_namespace === NS)
                watches.add(msg.id);
            if (msg.call && msg.call[2] === "ListInterfaces")
                lists.add(msg.id);
            return true;
        }, true);
        ck.transport.filter((data, channel) => {
            if (!channel || !opened.has(channel) || typeof data !== "string")
                return true;
            if (injected.delete(data))
                return true;
            const msg = JSON.parse(data.slice(channel.length + 1));
            let out;
            if (msg.notify) {
                const paths = Object.keys(msg.notify).filter(p => p.startsWith(NS + "/interface/"));
                if (paths.length === 0)
                    return true;
                seen.dropped += paths.length;
                paths.forEach(p => delete msg.notify[p]);
                if (Object.keys(msg.notify).length === 0)
                    return false;
                out = msg;
            } else if (watches.has(msg.id) && (msg.reply || msg.error)) {
                watches.delete(msg.id);
                seen.refused++;
                out = { error: ["org.freedesktop.DBus.Error.LimitsExceeded", ["GetManagedObjects() refused (test)"]],
                        id: msg.id };
            } else if (lists.has(msg.id) && msg.reply) {
                lists.delete(msg.id);
                seen.ghosts++;
                msg.reply[0][0].push(["ghost", NS + "/interface/ghost", "disconnected"]);
                out = msg;
            } else {
                return true;
            }
            const text = channel + "\n" + JSON.stringify(out);
            injected.add(text);
            ck.transport.inject(text, false);
            return false;
        }, false);
    }
    Object.defineProperty(window, "cockpit", {
        configurable: true,
        get: () => real,
        set: v => { real = v; install(v); },
    });
})();
"""


def refused(page):
    """wand refuses GetManagedObjects() (BusMaxMessageSize=4K, a dozen
    interfaces): the page shows every interface as the bus does, follows
    them live, and reads Device and Persistent again after a Reload()."""
    conf = "/etc/wand/interfaces"
    extra = [f"far{k:02d}" for k in range(10)]
    for n in extra:
        with open(f"{conf}/{n}.conf", "w") as f:
            f.write(f"[Interface]\nDevice={n}\n")
    with open("/etc/wand/wand.conf") as f:
        saved = f.read()
    with open("/etc/wand/wand.conf", "w") as f:
        f.write("[Router]\nDemandDial=yes\nBusMaxMessageSize=4K\n")
    stop_wand()
    start_wand()
    ok, reply = gdbus(M, "org.freedesktop.DBus.ObjectManager.GetManagedObjects")
    check("refused: GetManagedObjects() fails with LimitsExceeded",
          not ok and reply[0] == "org.freedesktop.DBus.Error.LimitsExceeded", str(reply)[:300])

    def on_the_bus():
        return sorted((n, prop(n, "Device"), s, "yes" if prop(n, "Enabled") else "no",
                       "yes" if prop(n, "Persistent") else "no") for n, _, s in list_interfaces())

    def shown():
        return sorted(tuple(r[:5]) for r in page.rows())

    def same_as_bus(what):
        wait_for(f"{what}: as many rows as interfaces", lambda: len(page.rows()) == len(list_interfaces()))
        bus, rows = on_the_bus(), shown()
        check(f"{what}: every interface, with its device, state, enabled, persistent", rows == bus,
              f"{len(rows)} rows" if rows == bus else f"shown {rows} / on the bus {bus}")

    def live(what, far):
        gdbus(path_of("wan0"), I + ".Connect")
        wait_for(f"{what}: wan0 connected from outside, shown", lambda: page.row_state("wan0") == "connected")
        ip("link", "set", "wan0", "down")
        wait_for(f"{what}: ip link set down shown", lambda: page.row_state("wan0") == "disconnected")
        with open(f"{conf}/{far}.conf", "w") as f:
            f.write(f"[Interface]\nDevice={far}\n")
        gdbus(M, MI + ".Reload")
        wait_for(f"{what}: {far}, added by Reload(), shown", lambda: page.row(far) is not None)
        ok, _ = gdbus(path_of(far), I + ".Delete")
        check(f"{what}: {far} deleted from outside", ok)
        wait_for(f"{what}: {far}, deleted, gone", lambda: page.row(far) is None)
        # Issue 22: Device and Persistent are announced: a Reload() from
        # outside shows on the page too.
        with open(f"{conf}/far03.conf", "w") as f:
            f.write(f"[Interface]\nDevice={far}y\nPersistent=yes\n")
        gdbus(M, MI + ".Reload")
        wait_for(f"{what}: after a Reload() from outside, far03's new Device and Persistent shown",
                 lambda: tuple((page.row("far03") or [""] * 6)[i] for i in (1, 4)) == (f"{far}y", "yes"))
        with open(f"{conf}/far03.conf", "w") as f:
            f.write("[Interface]\nDevice=far03\n")
        gdbus(M, MI + ".Reload")
        wait_for(f"{what}: and back", lambda: tuple((page.row("far03") or [""] * 6)[i] for i in (1, 4)) == ("far03", "no"))
        # A wand before that did not announce them: the page reads them
        # after its own Reload().
        with open(f"{conf}/far03.conf", "w") as f:
            f.write(f"[Interface]\nDevice={far}x\nPersistent=yes\n")
        page.driver.find_element(By.ID, "reload").click()

        def far03():
            row = page.row("far03") or [""] * 6
            return (row[1], row[4])
        wait_for(f"{what}: after the page's Reload, far03's new Device and Persistent shown",
                 lambda: far03() == (f"{far}x", "yes"))
        same_as_bus(f"{what}, at the end")

    # Debian's cockpit-bridge reads the objects by introspection itself.
    page.open()
    page.wait_ready()
    same_as_bus("refused")
    live("refused", "far10")
    page.shot("13-refused-get-managed-objects")

    # A bridge that says so: the page reads ListInterfaces() and GetAll().
    script = page.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": PYTHON_BRIDGE_REFUSED})
    try:
        page.open()
        wait_for("refused, said by the bridge: the page is ready", lambda: page.page_state() == "ready")
        played = page.js("return window.wandTestBridge")
        check("refused, said by the bridge: the watch failed and ListInterfaces() listed a ghost",
              played and played["refused"] == 1 and played["ghosts"] >= 1, str(played))
        same_as_bus("refused, said by the bridge")
        check("refused, said by the bridge: no row for the ghost", page.row("ghost") is None)
        live("refused, said by the bridge", "far11")
        played = page.js("return window.wandTestBridge")
        check("refused, said by the bridge: the bridge's own news of the objects was held back",
              played["dropped"] > 0, str(played))
        check("refused, said by the bridge: no alert",
              page.js("return document.querySelectorAll('.wand-alert').length") == 0)
    finally:
        page.driver.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", script)

    for n in extra:
        os.unlink(f"{conf}/{n}.conf")
    with open("/etc/wand/wand.conf", "w") as f:
        f.write(saved)
    stop_wand()
    start_wand()
    page.open()
    page.wait_ready()
    wait_for("GetManagedObjects() answered again: rows shown", lambda: len(page.rows()) == len(list_interfaces()))


def thousand(page):
    n = 1000
    conf = "/etc/wand/interfaces"
    for k in range(n):
        with open(f"{conf}/bulk{k:04d}.conf", "w") as f:
            f.write(f"[Interface]\nDevice=bulk{k:04d}\n")
    expected = len(list_interfaces()) + n
    t0 = time.monotonic()
    ok, _ = gdbus(M, MI + ".Reload")
    figures["reload_call_1000_ms"] = round((time.monotonic() - t0) * 1000)
    check("Reload with 1,000 more files", ok)
    wait_for("1,000 rows added live", lambda: page.row_count() == expected, limit=120)
    figures["live_add_1000_ms"] = round((time.monotonic() - t0) * 1000)
    check(f"1,000 interfaces added live: {expected} rows", len(page.rows()) == expected,
          f"{figures['live_add_1000_ms']} ms from Reload()")

    # First render: a fresh page load until every row is in the table.
    t0 = page.open()
    wait_for("first render of 1,000", lambda: page.row_count() == expected, limit=120)
    figures["first_render_1000_ms"] = round((time.monotonic() - t0) * 1000)
    # The page's own clock, from navigation start to the flush that put the
    # last row in (the figure above adds chromedriver's round trips).
    figures["first_render_1000_page_ms"] = page.flush_mark(expected)
    figures["first_render_1000_marks_ms"] = page.js("""
        const m = {};
        for (const e of performance.getEntriesByType('mark'))
            if (e.name !== 'wand-flush') m[e.name] = Math.round(e.startTime);
        return m;""")
    check("first render of 1,002 rows", page.page_state() == "ready",
          f"{figures['first_render_1000_ms']} ms from navigation")

    # A live update with 1,000 rows: wan0's link from outside.
    # A live update with 1,000 rows: wan0's link from outside, five times
    # (the machine may be busy: the median says more than one try). Only
    # reported: the one-second bound is checked with two rows above.
    times = []
    for _ in range(5):
        gdbus(path_of("wan0"), I + ".Connect")
        wait_for("wan0 connected (1,000)", lambda: page.row_state("wan0") == "connected")
        t0 = time.monotonic()
        ip("link", "set", "wan0", "down")
        wait_for("ip link set down shows (1,000)", lambda: page.row_state("wan0") == "disconnected")
        times.append(round((time.monotonic() - t0) * 1000, 1))
    figures["live_update_1000_ms"] = times
    figures["live_update_1000_median_ms"] = sorted(times)[len(times) // 2]
    check("live updates at 1,000 rows", all(t < WAIT * 1000 for t in times), f"{times} ms")
    page.driver.execute_script("window.scrollTo(0, 0)")
    page.shot("11-thousand")

    for k in range(n):
        os.unlink(f"{conf}/bulk{k:04d}.conf")
    t0 = time.monotonic()
    gdbus(M, MI + ".Reload")
    wait_for("1,000 rows removed live", lambda: page.row_count() == expected - n, limit=120)
    figures["live_remove_1000_ms"] = round((time.monotonic() - t0) * 1000)


def alice_checks(page):
    page.open()
    page.wait_ready()
    wait_for("alice: rows shown (reading needs no authorization)", lambda: len(page.rows()) == len(list_interfaces()))
    wait_for("alice: the page notes limited access",
             lambda: page.js("return !document.getElementById('access-note').hidden"))

    # Both connected, from outside.
    for n in ("wan0", "site-b"):
        if prop(n, "State") != "connected":
            gdbus(path_of(n), I + ".Connect")
        wait_for(f"alice: {n} shown connected", lambda: page.row_state(n) == "connected")
    before = list_interfaces()

    page.click("site-b", "disconnect")
    alert = wait_for("alice: Disconnect site-b is denied", lambda: page.alert("org.freedesktop.DBus.Error.AccessDenied"))
    if alert:
        check("alice: the page says plainly it was not permitted",
              alert["title"] == "Not permitted: disconnect site-b" and "not authorized" in alert["extra"],
              f"{alert['title']} / {alert['extra']}")
        check("alice: the call carried the interactive flag (AccessDenied, not InteractiveAuthorizationRequired)",
              page.alert("org.freedesktop.DBus.Error.InteractiveAuthorizationRequired") is None)
    check("alice: nothing changed", list_interfaces() == before and link_up("site-b") is True)
    page.shot("12-alice-denied")

    page.clear_alerts()
    page.click("site-b", "enable")
    alert = wait_for("alice: Disable site-b is denied", lambda: page.alert("org.freedesktop.DBus.Error.AccessDenied"))
    check("alice: site-b still enabled", prop("site-b", "Enabled") is True)

    # A command is root-equivalent: the dialog says which action it needed.
    page.clear_alerts()
    page.driver.find_element(By.ID, "create-open").click()
    page.driver.find_element(By.ID, "create-name").send_keys("alices")
    page.driver.find_element(By.ID, "create-device").send_keys("alice0")
    page.driver.find_element(By.ID, "create-connect").send_keys("/bin/sh -c id")
    page.driver.find_element(By.ID, "create-submit").click()
    alert = wait_for("alice: create with a command is denied", lambda: page.alert("org.freedesktop.DBus.Error.AccessDenied"))
    if alert:
        check("alice: the dialog names org.wand.Router1.configure-privileged",
              alert["title"] == "Not permitted: create alices" and
              "org.wand.Router1.configure-privileged" in alert["extra"], f"{alert['title']} / {alert['extra']}")
    check("alice: nothing created", list_interfaces() == before)
    page.js("document.getElementById('create-dialog').close()")

    # The example rule lets netops (alice) disconnect wan0: polkitd says yes.
    page.clear_alerts()
    page.click("wan0", "disconnect")
    wait_for("alice: Disconnect wan0 allowed by the netops rule", lambda: page.row_state("wan0") == "disconnected")
    check("alice: wan0 link down", link_up("wan0") is False)
    check("alice: no alert for an allowed call", page.js("return document.querySelectorAll('.wand-alert').length") == 0)

    errors = page.console_errors()
    check("no console errors (alice)", not errors, json.dumps(errors)[:2000])


def demo_walk(page):
    """demo/demo.sh --cockpit: the demo's steps, on the page."""
    page.open()
    page.wait_ready()
    print("demo: the interfaces, as ListInterfaces() lists them")
    page.shot("demo-01-interfaces")
    print("demo: Connect wan0")
    page.click("wan0", "connect")
    wait_for("wan0 connected", lambda: page.row_state("wan0") == "connected")
    page.shot("demo-02-wan0-connected")
    print("demo: Disconnect wan0")
    page.click("wan0", "disconnect")
    wait_for("wan0 disconnected", lambda: page.row_state("wan0") == "disconnected")
    print("demo: Disconnect again, behind the page's back: InterfaceNotConnected")
    gdbus(path_of("wan0"), I + ".Connect")
    wait_for("wan0 connected", lambda: page.row_state("wan0") == "connected")
    behind_the_back(page, "wan0", "disconnect", lambda: gdbus(path_of("wan0"), I + ".Disconnect"),
                    "InterfaceNotConnected", "InterfaceNotConnected")
    page.js("document.querySelectorAll('.wand-alert details').forEach(d => d.open = true)")
    page.shot("demo-03-interface-not-connected")
    print("demo: Stop the demand-dial manager")
    page.clear_alerts()
    page.driver.find_element(By.ID, "manager-toggle").click()
    wait_for("manager stopped", lambda: page.js("return document.getElementById('manager-state').textContent") == "stopped")
    page.shot("demo-04-manager-stopped")
    print("demo: Start it again; Connect works again")
    page.driver.find_element(By.ID, "manager-toggle").click()
    wait_for("manager running", lambda: page.js("return document.getElementById('manager-state').textContent") == "running")
    page.click("wan0", "connect")
    wait_for("wan0 connected", lambda: page.row_state("wan0") == "connected")
    page.shot("demo-05-connected-again")
    errors = page.console_errors()
    check("no console errors", not errors, json.dumps(errors)[:2000])


def demo_unprivileged(page):
    print(f"demo: user {page.who} in a Cockpit session of its own disconnects wan0; polkit says no")
    page.open()
    page.wait_ready()
    wait_for("wan0 shown connected", lambda: page.row_state("wan0") == "connected")
    page.click("wan0", "disconnect")
    alert = wait_for(f"{page.who} denied", lambda: page.alert("org.freedesktop.DBus.Error.AccessDenied"))
    if alert:
        print(f"demo: the page says: {alert['title']}. {alert['extra']} {alert['message']}")
    check("wan0 still connected", prop("wan0", "State") == "connected")
    page.js("document.querySelectorAll('.wand-alert details').forEach(d => d.open = true)")
    page.shot("demo-06-unprivileged-denied")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=("test", "demo"), default="test")
    parser.add_argument("--artifacts", required=True)
    parser.add_argument("--root-url", required=True)
    parser.add_argument("--root-ws-pid", required=True)
    parser.add_argument("--user", default="alice", help="the unprivileged user of the second cockpit-ws")
    parser.add_argument("--user-url", required=True)
    parser.add_argument("--user-ws-pid", required=True)
    parser.add_argument("--wand-pid", default="")
    args = parser.parse_args()

    started = time.monotonic()
    root = Page(args.root_url, args.root_ws_pid, args.artifacts, "root")
    figures["browser_start_ms"] = round((time.monotonic() - started) * 1000)
    try:
        if args.mode == "demo":
            demo_walk(root)
        else:
            root_checks(root, args)
    finally:
        root.quit()
    user = Page(args.user_url, args.user_ws_pid, args.artifacts, args.user)
    try:
        if args.mode == "demo":
            demo_unprivileged(user)
        else:
            alice_checks(user)
    finally:
        user.quit()

    figures["total_s"] = round(time.monotonic() - started, 1)
    with open(os.path.join(args.artifacts, "figures.json"), "w") as f:
        json.dump(figures, f, indent=2)
    print("figures: " + json.dumps(figures), flush=True)
    print(f"{'FAILED' if failures else 'passed'}: {failures} failure(s)", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
