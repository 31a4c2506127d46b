// The live page: one WebSocket to the clinic server, which relays the patient's home. It draws the
// skeleton from 2D landmarks (no camera image ever leaves the home), the angle against its goal and
// ceiling, the reps, pain, scene and device, and sends the physio's actions. It reconnects by itself,
// except when the server closed it because the login session has ended (4401) or the right to the
// patient has gone (4403): then it says so in one sentence and stops. A socket refused before it
// opened is looked into with one request for the page itself (a redirect to the login page: signed out).
(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root) return;
  // MediaPipe Pose's body connections (shoulders, arms, trunk, legs; the face left out)
  var BONES = [[11, 12], [11, 13], [13, 15], [12, 14], [14, 16], [11, 23], [12, 24], [23, 24],
    [23, 25], [25, 27], [27, 29], [29, 31], [27, 31], [24, 26], [26, 28], [28, 30], [30, 32], [28, 32],
    [15, 17], [15, 19], [15, 21], [16, 18], [16, 20], [16, 22], [0, 11], [0, 12]];
  var STATUS = {
    waiting: "Waiting for the patient to share a session.",
    connected: "Connected: the patient is sharing this session live.",
    lost: "Connection lost: the session goes on at home; waiting for it to come back.",
    ended: "The patient stopped sharing.",
    server: "Connection to the clinic server lost: reconnecting...",
    "signed-out": "You have been signed out. Sign in again to keep watching.",
    "no-access": "You may no longer see this patient."
  };
  // the server's close codes (clinic.live.SIGNED_OUT, NO_ACCESS)
  var CLOSED = { 4401: "signed-out", 4403: "no-access" };
  // what each action is called in "The game applied ...": a sentence a physio reads at a glance
  var ACTION_NAMES = {
    message: "the message", target: "the new target", ceiling: "the new ceiling",
    pause: "the pause", resume: "the resume", end: "the end of the session"
  };
  // what the home's scene codes are called on the page (rehab.engine.scenes, session_scenes,
  // rating_screen, rehab.engine.live); a code not listed here is shown as it came
  var SCENE_NAMES = {
    instructions: "Instructions before the set",
    countdown: "Countdown to the set",
    play: "Exercising",
    paused: "Paused",
    set: "Starting a set",
    rest: "Rest between sets",
    rating: "Pain question",
    summary: "Set summary"
  };
  var $ = function (id) { return document.getElementById(id); };
  var frames = 0, socket = null, wait = 500, ended = false, stopped = false;

  function setStatus(name) {
    var el = $("live-status");
    el.dataset.status = name;
    el.textContent = STATUS[name] || name;
    $("live-badge").hidden = name !== "connected";
  }

  function drawSkeleton(landmarks) {
    var canvas = $("skeleton"), g = canvas.getContext("2d"), w = canvas.width, h = canvas.height;
    g.fillStyle = "#1b1f23";
    g.fillRect(0, 0, w, h);
    if (!landmarks || landmarks.length < 33) return;
    var seen = function (p) { return p && p[2] >= 0.5; };
    g.strokeStyle = "#7cc4ff";
    g.lineWidth = 4;
    BONES.forEach(function (b) {
      var a = landmarks[b[0]], c = landmarks[b[1]];
      if (!seen(a) || !seen(c)) return;
      g.beginPath();
      g.moveTo(a[0] * w, a[1] * h);
      g.lineTo(c[0] * w, c[1] * h);
      g.stroke();
    });
    g.fillStyle = "#ffffff";
    landmarks.forEach(function (p, i) {
      if (i < 11 && i !== 0) return;
      if (!seen(p)) return;
      g.beginPath();
      g.arc(p[0] * w, p[1] * h, 4, 0, 2 * Math.PI);
      g.fill();
    });
  }

  function drawAngle(angle) {
    var canvas = $("angle-bar"), g = canvas.getContext("2d"), w = canvas.width, h = canvas.height;
    g.clearRect(0, 0, w, h);
    if (!angle) return;
    var top = Math.max(angle.goal || 0, isFinite(angle.ceiling) && angle.ceiling !== null ? angle.ceiling : 0,
      Math.abs(angle.value || 0), 10) * 1.15;
    var x = function (deg) { return Math.max(0, Math.min(1, deg / top)) * (w - 20) + 10; };
    g.fillStyle = "#eef1f4";
    g.fillRect(10, 20, w - 20, 26);
    if (angle.value !== null && isFinite(angle.value)) {
      g.fillStyle = angle.value >= angle.goal ? "#1a7f37" : "#0969da";
      g.fillRect(10, 20, x(Math.abs(angle.value)) - 10, 26);
    }
    var mark = function (deg, colour) {
      if (deg === null || deg === undefined || !isFinite(deg)) return;
      g.fillStyle = colour;
      g.fillRect(x(deg) - 2, 12, 4, 42);
    };
    mark(angle.goal, "#1a7f37");
    mark(angle.ceiling, "#b42318");
  }

  function show(id, value) { $(id).textContent = value === null || value === undefined || value === "" ? "–" : value; }
  function degrees(v) { return v === null || v === undefined ? "–" : Math.round(v); }
  function item(list, words) {
    var li = document.createElement("li");
    li.textContent = words;
    $(list).insertBefore(li, $(list).firstChild);
  }

  // the scene in words, its code kept on the element (data-scene) for whoever needs it
  function showScene(code) {
    show("scene", Object.prototype.hasOwnProperty.call(SCENE_NAMES, code) ? SCENE_NAMES[code] : code);
    $("scene").dataset.scene = code;
  }

  // as the patient page names movements: 'knee_flexion_right' -> 'Knee flexion, right'
  function movementLabel(name) {
    const parts = String(name || "").split("_");
    const last = parts[parts.length - 1];
    const side = last === "left" || last === "right" ? parts.pop() : "";
    const words = parts.join(" ");
    const label = words.charAt(0).toUpperCase() + words.slice(1);
    return side ? label + ", " + side : label;
  }

  function onFrame(m) {
    frames += 1;
    $("frames").textContent = String(frames);
    root.dataset.lastFrame = String(m.t);
    drawSkeleton(m.landmarks);
    if (m.angle) {
      show("angle-name", m.angle.label || movementLabel(m.angle.name));
      show("angle-value", degrees(m.angle.value) + "°");
      show("goal", degrees(m.angle.goal));
      show("ceiling", m.angle.ceiling === null ? "none" : degrees(m.angle.ceiling));
      drawAngle(m.angle);
    }
    if (m.scene) showScene(m.scene);
    if (m.set) show("set", m.set);
    if (m.device) show("device", m.device);
  }

  function onMessage(m) {
    if (m.type === "frame") onFrame(m);
    else if (m.type === "status") {
      // a home that stopped sharing then closes its socket: that is not a lost connection
      if (m.home === "connected") ended = false;
      if (!(ended && m.home === "lost")) setStatus(m.home);
    } else if (m.type === "sharing" && m.sharing === false) { ended = true; setStatus("ended"); }
    else if (m.type === "scene") { showScene(m.scene); if (m.set) show("set", m.set); }
    else if (m.type === "rep") {
      item("reps", "Rep " + m.index + ": peak " + degrees(m.peak_deg) + "°, range " + degrees(m.rom_deg) + "°, " +
        (m.success ? "reached the target" : "short of the target") + (m.over_ceiling ? ", past the ceiling" : "") +
        (m.duration_s ? ", " + m.duration_s.toFixed(1) + " s" : ""));
    } else if (m.type === "pain") item("pain", m.moment + ": " + m.value + " / 10");
    else if (m.type === "action_sent") {
      if ($("actions")) item("actions", "Sent " + m.kind + (m.text ? ": " + m.text : "") +
        (m.value !== undefined ? " " + m.value + "°" : "") + (m.reason ? " (" + m.reason + ")" : ""));
    } else if (m.type === "action_done") {
      if ($("actions")) item("actions", "The game " + (m.applied ? "applied " : "did not apply ") +
        (ACTION_NAMES[m.kind] || m.kind) + (m.note ? ": " + m.note : ""));
    } else if (m.type === "error") {
      $("live-error").hidden = false;
      $("live-error").textContent = m.error;
    }
  }

  // the end of watching: the sentence, a way to sign in again, no more patient data on screen
  function stop(why) {
    stopped = true;
    setStatus(why);
    root.dataset.stopped = why;
    drawSkeleton(null);
    drawAngle(null);
    var again = $("live-sign-in");
    if (again) again.hidden = why !== "signed-out";
    var controls = document.querySelectorAll("[aria-labelledby=act] button, [aria-labelledby=act] input, [aria-labelledby=act] select");
    Array.prototype.forEach.call(controls, function (e) { e.disabled = true; });
  }

  // a socket refused before it opened says nothing in the browser: ask for the page itself
  function stillAllowed() {
    return fetch(location.pathname, { redirect: "manual", credentials: "same-origin", cache: "no-store" }).then(
      function (answer) {
        if (answer.type === "opaqueredirect") return "signed-out";  // to the login page
        if (answer.status === 403 || answer.status === 404) return "no-access";
        return "";
      },
      function () { return ""; }  // the server is not answering: try again later
    );
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var opened = false;
    socket = new WebSocket(scheme + location.host + root.dataset.socket);
    socket.onopen = function () { opened = true; wait = 500; };
    socket.onmessage = function (event) { onMessage(JSON.parse(event.data)); };
    socket.onclose = function (event) {
      if (stopped) return;
      if (CLOSED[event.code]) { stop(CLOSED[event.code]); return; }
      setStatus("server");
      var again = function () {
        setTimeout(connect, wait);
        wait = Math.min(wait * 2, 10000);
      };
      if (opened) { again(); return; }
      stillAllowed().then(function (why) { if (why) stop(why); else again(); });
    };
  }

  function send(action) {
    $("live-error").hidden = true;
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      $("live-error").hidden = false;
      $("live-error").textContent = "Not connected to the clinic server: try again in a moment.";
      return;
    }
    action.type = "action";
    socket.send(JSON.stringify(action));
  }

  var form = $("send-message");
  if (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      send({ kind: "message", text: $("live-message").value });
      $("live-message").value = "";
    });
    $("change-target").addEventListener("submit", function (e) {
      e.preventDefault();
      send({ kind: $("live-kind").value, value: Number($("live-value").value), reason: $("live-reason").value });
    });
    $("live-pause").addEventListener("click", function () { send({ kind: "pause" }); });
    $("live-resume").addEventListener("click", function () { send({ kind: "resume" }); });
    $("live-end").addEventListener("click", function () {
      if (window.confirm("End the patient's session now? Everything done so far is kept.")) send({ kind: "end" });
    });
  }
  connect();
})();
