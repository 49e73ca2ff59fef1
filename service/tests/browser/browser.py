"""The browser mode in a real browser: headless Chromium (Debian's) driven by Selenium, against
two jose-service instances over HTTPS on one Redis (started by tests/browser.rs, which passes
a JSON file of settings as the only argument).

Checks, each against what Chromium actually does:
- the cookie prefixes: a Set-Cookie of `__Host-Http-` without HttpOnly is refused, a script
  cannot set one;
- the flow on the page: sign in (a wrong password first), who am I, a call needing a role, the
  silent refresh, a reload, the other instance, sign-out, another user without the role;
- `document.cookie` never shows the session; the cookie's attributes as Chromium stored them;
- a page on another origin (a server of this script's own, on another port of the same host:
  same-site, cross-origin, so SameSite=Strict does not stop the cookie) can neither read
  /session/me nor sign the person out nor act as them: a form POST, a fetch with
  credentials, a fetch with the custom header;
- after sign-out the old cookie value is refused by both instances (server-side end).

Every page state is saved as a PNG in the settings' `screenshots` directory. Prints one JSON
object of findings on its last line; exits 1 on the first failed check.
"""

import http.server
import json
import os
import shutil
import ssl
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

SETTINGS = json.load(open(sys.argv[1]))
A, B = SETTINGS["a"], SETTINGS["b"]
SHOTS = SETTINGS["screenshots"]
ADA = ("ada", "correct horse battery staple")
BOB = ("bob", "hunter2 hunter2")
COOKIE = "__Host-Http-session"
FINDINGS = {}


def check(condition, what):
    if not condition:
        print(json.dumps(FINDINGS, indent=2))
        raise SystemExit(f"FAILED: {what}")
    print(f"ok: {what}", flush=True)


# The other origin: a page of this script's own, over HTTPS with the service's certificate, on
# another port of 127.0.0.1. It tries what an attacker's page would, and writes what happened.
ATTACK = """<!doctype html>
<html><head><meta charset="utf-8"><title>another origin</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;background:#fff4e5}
li{margin:.3rem 0}</style></head>
<body><h1>A page on another origin</h1>
<p>It tries to use the session of <code>TARGET</code>.</p>
<form id="forged" method="POST" action="TARGET/session/logout" target="sink">
<input type="hidden" name="x" value="1"></form>
<iframe name="sink" style="display:none"></iframe>
<ol id="out"></ol>
<script>
const target = "TARGET";
const out = document.getElementById("out");
function note(text) { const li = document.createElement("li"); li.textContent = text; out.appendChild(li); }
async function attempt(name, run) {
  try { note(name + ": " + await run()); } catch (error) { note(name + ": no answer for this page (" + error.name + ")"); }
}
(async () => {
  document.getElementById("forged").submit();
  note("form POST to /session/logout: sent");
  await attempt("fetch /session/me with credentials", async () => {
    const r = await fetch(target + "/session/me", { credentials: "include" });
    return "read " + r.status + " " + await r.text();
  });
  await attempt("fetch POST /session/logout with the custom header", async () => {
    const r = await fetch(target + "/session/logout", { method: "POST", credentials: "include",
      headers: { "X-Requested-With": "jose-session" } });
    return "answered " + r.status;
  });
  await attempt("fetch /session/api/admin with the custom header", async () => {
    const r = await fetch(target + "/session/api/admin", { credentials: "include",
      headers: { "X-Requested-With": "jose-session" } });
    return "read " + r.status + " " + await r.text();
  });
  await attempt("no-cors POST /session/refresh", async () => {
    const r = await fetch(target + "/session/refresh", { method: "POST", mode: "no-cors",
      credentials: "include" });
    return "sent, answer unreadable (" + r.type + ")";
  });
  document.body.dataset.done = "yes";
})();
</script></body></html>"""


class Other(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/probe":
            # What Chromium does with the prefixes, as a server sets them.
            self.send_response(200)
            self.send_header("Set-Cookie", "__Host-Http-probe-no-httponly=1; Secure; Path=/")
            self.send_header("Set-Cookie", "__Host-Http-probe=1; Secure; Path=/; HttpOnly")
            self.send_header("Set-Cookie", "__Host-probe-no-secure=1; Path=/")
            body = b"probe"
        else:
            self.send_response(200)
            body = ATTACK.replace("TARGET", A).encode()
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def start_other():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Other)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(SETTINGS["cert"], SETTINGS["key"])
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"https://127.0.0.1:{server.server_address[1]}"


def chromium(profile):
    options = webdriver.ChromeOptions()
    options.binary_location = SETTINGS["chromium"]
    for flag in [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", "--window-size=900,760",
        # Trust the test's certificate, by its public key, and nothing else.
        f"--ignore-certificate-errors-spki-list={SETTINGS['spki']}",
    ]:
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(executable_path=SETTINGS["chromedriver"]), options=options)


def shot(driver, name):
    driver.save_screenshot(os.path.join(SHOTS, f"{name}.png"))


def wait(driver, condition, what, seconds=15):
    try:
        WebDriverWait(driver, seconds, poll_frequency=0.1).until(lambda d: condition(d))
    except Exception:
        shot(driver, "failed")
        check(False, f"{what} (page: {driver.find_element(By.TAG_NAME, 'body').text!r})")


def visible(driver, element_id):
    return driver.find_element(By.ID, element_id).is_displayed()


def text(driver, element_id):
    return driver.find_element(By.ID, element_id).text


def sign_in(driver, user):
    form = driver.find_element(By.ID, "login")
    name = form.find_element(By.NAME, "username")
    password = form.find_element(By.NAME, "password")
    name.clear()
    name.send_keys(user[0])
    password.clear()
    password.send_keys(user[1])
    form.find_element(By.TAG_NAME, "button").click()


def replay(base, cookie_value):
    """The old cookie presented from outside the browser, with every header the page sends."""
    request = urllib.request.Request(f"{base}/session/me", headers={
        "Cookie": f"{COOKIE}={cookie_value}",
        "X-Requested-With": "jose-session",
        "Origin": base,
        "Sec-Fetch-Site": "same-origin",
    })
    context = ssl.create_default_context(cafile=SETTINGS["cert"])
    try:
        with urllib.request.urlopen(request, context=context) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def main():
    os.makedirs(SHOTS, exist_ok=True)
    server, other = start_other()
    profile = tempfile.mkdtemp(prefix="jose-chromium-")
    driver = chromium(profile)
    started = time.monotonic()
    try:
        FINDINGS["chromium"] = driver.capabilities.get("browserVersion")
        FINDINGS["other_origin"] = other

        # 1. The prefixes, as Chromium enforces them.
        driver.get(f"{other}/probe")
        stored = {c["name"]: c for c in driver.get_cookies()}
        FINDINGS["prefix_probe_stored"] = sorted(stored)
        check("__Host-Http-probe" in stored and stored["__Host-Http-probe"]["httpOnly"],
              "Chromium stores a __Host-Http- cookie set with HttpOnly")
        check("__Host-Http-probe-no-httponly" not in stored,
              "Chromium refuses a __Host-Http- cookie set without HttpOnly")
        check("__Host-probe-no-secure" not in stored,
              "Chromium refuses a __Host- cookie set without Secure")
        driver.execute_script("document.cookie = '__Host-Http-forged=1; Secure; Path=/'")
        check("__Host-Http-forged" not in {c["name"] for c in driver.get_cookies()},
              "a script cannot set a __Host-Http- cookie")
        driver.delete_all_cookies()

        # 2. The page, signed out; a wrong password.
        driver.get(f"{A}/")
        wait(driver, lambda d: visible(d, "signed-out"), "the sign-in form")
        shot(driver, "01-signed-out")
        sign_in(driver, (ADA[0], "not the password"))
        wait(driver, lambda d: visible(d, "error") and "Wrong user name or password" in text(d, "error"),
             "a wrong password is shown")
        shot(driver, "02-wrong-password")

        # 3. Signed in: who am I, with roles and scopes.
        sign_in(driver, ADA)
        wait(driver, lambda d: visible(d, "signed-in") and text(d, "sub") == "ada", "signed in as ada")
        check(text(driver, "roles") == "admin", "the roles are shown")
        check(text(driver, "scopes") == "profile reports:read", "the scopes are shown")
        check(not visible(driver, "error"), "no error once signed in")
        shot(driver, "03-signed-in")
        check(driver.execute_script("return document.cookie") == "",
              "document.cookie does not show the session cookie")
        session = [c for c in driver.get_cookies() if c["name"] == COOKIE]
        check(len(session) == 1, "one session cookie")
        cookie = session[0]
        FINDINGS["cookie"] = {k: v for k, v in cookie.items() if k != "value"}
        check(cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Strict"
              and cookie["path"] == "/" and cookie["domain"] == "127.0.0.1" and "expiry" not in cookie,
              "the cookie is HttpOnly, Secure, SameSite=Strict, Path=/, host-only, a session cookie")
        driver.execute_script(f"document.cookie = '{COOKIE}=forged; Secure; Path=/'")
        check([c["value"] for c in driver.get_cookies() if c["name"] == COOKIE] == [cookie["value"]],
              "a script cannot overwrite the session cookie")

        # 4. A call needing a role.
        driver.find_element(By.ID, "admin").click()
        wait(driver, lambda d: visible(d, "result") and '"area": "admin"' in text(d, "result"),
             "the admin area answers")
        shot(driver, "04-role-admin")

        # 5. The silent refresh (access tokens of a few seconds).
        first = text(driver, "expires")
        wait(driver, lambda d: "(silent)" in text(d, "refreshed"), "the silent refresh runs", 30)
        check(text(driver, "expires") != first, "the access token's expiry moved on")
        shot(driver, "05-silent-refresh")

        # 6. Another origin tries to use the session.
        driver.get(f"{other}/")
        wait(driver, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-done") == "yes",
             "the other origin's attempts end")
        time.sleep(0.5)
        attempts = [li.text for li in driver.find_elements(By.CSS_SELECTOR, "#out li")]
        FINDINGS["other_origin_attempts"] = attempts
        shot(driver, "06-other-origin")
        check(any(a.startswith("fetch /session/me with credentials: no answer") for a in attempts),
              "the other origin cannot read /session/me")
        check(any(a.startswith("fetch POST /session/logout with the custom header: no answer") for a in attempts),
              "the other origin cannot send the custom header (preflight refused)")
        check(any(a.startswith("fetch /session/api/admin with the custom header: no answer") for a in attempts),
              "the other origin cannot call the API as the person")

        # 7. Back on the page after a reload: still signed in (the form POST did not sign out).
        driver.get(f"{A}/")
        wait(driver, lambda d: visible(d, "signed-in") and text(d, "sub") == "ada",
             "the session survived the other origin and a reload")
        shot(driver, "07-after-reload")

        # 8. The other instance, with the same cookie (cookies are per host, not per port).
        driver.switch_to.new_window("tab")
        driver.get(f"{B}/")
        wait(driver, lambda d: visible(d, "signed-in") and text(d, "sub") == "ada",
             "the other instance knows the session")
        shot(driver, "08-instance-b")
        tab_b = driver.current_window_handle

        # 9. Sign out on the first instance: over on both.
        driver.switch_to.window(driver.window_handles[0])
        driver.find_element(By.ID, "logout").click()
        wait(driver, lambda d: visible(d, "signed-out") and "Signed out" in text(d, "status"), "signed out")
        shot(driver, "09-signed-out")
        check(all(c["name"] != COOKIE for c in driver.get_cookies()), "the cookie is gone")
        for base in (A, B):
            status = replay(base, cookie["value"])
            check(status == 401, f"the old cookie is refused by {base} after sign-out ({status})")
        driver.switch_to.window(tab_b)
        driver.find_element(By.ID, "admin").click()
        wait(driver, lambda d: visible(d, "signed-out") and "session has ended" in text(d, "error"),
             "the other instance's page learns the session ended")
        shot(driver, "10-ended-on-b")

        # 10. Another user without the role: the refusal is shown.
        sign_in(driver, BOB)
        wait(driver, lambda d: visible(d, "signed-in") and text(d, "sub") == "bob", "signed in as bob")
        driver.find_element(By.ID, "admin").click()
        wait(driver, lambda d: visible(d, "error") and "role" in text(d, "error"), "bob is refused the admin area")
        shot(driver, "11-bob-forbidden")
        FINDINGS["seconds"] = round(time.monotonic() - started, 1)
    finally:
        driver.quit()
        server.shutdown()
        shutil.rmtree(profile, ignore_errors=True)
    print(json.dumps(FINDINGS))


if __name__ == "__main__":
    main()
