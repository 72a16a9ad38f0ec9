// trainer's cue sounds in the page `trainer serve` serves (see trainer/audio/browser.py).
//
// The app writes ESC ] 7746 ; trainer ; cue=NAME [; key=KEY] BEL for each cue; an OSC handler
// on the xterm.js terminal plays trainer/rendered/KEY.wav (the sound the app rendered: volume,
// spoken line) or, failing that, the shipped trainer/sounds/NAME.wav. A bare BEL (the app's
// fallback, the terminal bell) plays the tick. window.trainerCues lists every cue named, in
// order, whether or not sound is enabled yet (the tests read it).
//
// Reaching the terminal: textual.js (textual-serve's bundle) makes its xterm.js Terminal in
// its window.onload, as `this.terminal = new Terminal(...)` in the constructor of its session
// class, and exposes neither. So this script, loaded right after textual.js, wraps that
// onload and, only while it runs, puts a setter for `terminal` on Object.prototype: the one
// assignment of that name in the bundle lands there, the value is stored as the object's own
// property (so textual.js sees no difference) and, if it is an xterm.js Terminal, hooked. The
// setter is removed as soon as textual.js's onload returns. This depends on a property name
// in textual-serve's source, not on the minifier's names; if it ever stops matching, nothing
// breaks but the sounds, and the banner says so.
(function () {
  "use strict";

  const OSC_NUMBER = 7746; // trainer.audio.browser.OSC_NUMBER
  // trainer.audio.synth.CUE_NAMES: nothing outside this list is ever fetched or played.
  const CUES = ["get_ready", "work", "rest", "tick", "halfway", "switch", "rep", "complete"];
  const PAYLOAD = /^trainer;cue=([a-z_]{1,32})(?:;key=([0-9a-f]{1,64}))?$/;
  const BELL_SOUND = "tick";

  window.trainerCues = [];
  window.trainerPlayed = [];
  window.trainerHooked = false;

  let context = null; // an AudioContext, once a key press or click allows one
  const buffers = new Map(); // url -> Promise of an AudioBuffer, or null when it cannot load

  function banner(text) {
    const element = document.getElementById("trainer-sound");
    if (element === null) {
      return;
    }
    element.textContent = text;
    element.hidden = text === "";
  }

  function unlock() {
    if (context !== null) {
      return;
    }
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) {
      banner("this browser cannot play sound");
      return;
    }
    context = new Context();
    context.resume().catch(function () {});
    window.removeEventListener("keydown", unlock, true);
    window.removeEventListener("pointerdown", unlock, true);
    banner(window.trainerHooked ? "" : "sound unavailable: the page could not reach the terminal");
  }

  function load(url) {
    if (!buffers.has(url)) {
      buffers.set(url, fetch(url, { cache: "force-cache" })
        .then(function (response) {
          if (!response.ok) {
            return null;
          }
          return response.arrayBuffer().then(function (data) {
            return context.decodeAudioData(data);
          });
        })
        .catch(function () {
          return null;
        }));
    }
    return buffers.get(url);
  }

  async function play(cue, key) {
    if (context === null) {
      return; // not allowed yet: the banner asks for a key press
    }
    let buffer = null;
    let url = "";
    if (key) {
      url = "trainer/rendered/" + key + ".wav";
      buffer = await load(url);
    }
    if (buffer === null) {
      url = "trainer/sounds/" + cue + ".wav";
      buffer = await load(url);
    }
    if (buffer === null) {
      return;
    }
    const source = context.createBufferSource();
    source.buffer = buffer;
    source.connect(context.destination);
    source.start();
    window.trainerPlayed.push(url);
  }

  function cue(name, key) {
    if (!CUES.includes(name)) {
      return;
    }
    window.trainerCues.push(name);
    play(name, key);
  }

  function onOsc(data) {
    const match = PAYLOAD.exec(data);
    if (match !== null) {
      cue(match[1], match[2] || null);
    }
    return true; // ours, well formed or not: never shown
  }

  function isTerminal(value) {
    return value !== null && typeof value === "object" && typeof value.onBell === "function"
      && value.parser && typeof value.parser.registerOscHandler === "function";
  }

  function hook(terminal) {
    terminal.parser.registerOscHandler(OSC_NUMBER, onOsc);
    terminal.onBell(function () {
      window.trainerCues.push("bell");
      play(BELL_SOUND, null);
    });
    window.trainerTerminal = terminal;
    window.trainerHooked = true;
  }

  // "locked" until a key press or click, then the AudioContext's state ("running").
  window.trainerAudioState = function () {
    return context === null ? "locked" : context.state;
  };

  // The screen's text, for tests and for anyone debugging the page from the console.
  window.trainerScreen = function () {
    const terminal = window.trainerTerminal;
    if (!terminal) {
      return "";
    }
    const buffer = terminal.buffer.active;
    const lines = [];
    for (let row = 0; row < terminal.rows; row++) {
      const line = buffer.getLine(buffer.viewportY + row);
      lines.push(line ? line.translateToString(true) : "");
    }
    return lines.join("\n");
  };

  const textualOnload = window.onload;
  window.onload = function (event) {
    Object.defineProperty(Object.prototype, "terminal", {
      configurable: true,
      set: function (value) {
        Object.defineProperty(this, "terminal", {
          value: value, writable: true, enumerable: true, configurable: true,
        });
        if (!window.trainerHooked && isTerminal(value)) {
          hook(value);
        }
      },
    });
    try {
      if (typeof textualOnload === "function") {
        return textualOnload.call(this, event);
      }
    } finally {
      delete Object.prototype.terminal;
    }
    return undefined;
  };

  // textual.js reads the websocket's URL from the terminal element when its onload runs: made
  // here from the page's own address, so a tunnel's port or a proxy's https and path work.
  document.addEventListener("DOMContentLoaded", function () {
    const element = document.getElementById("terminal");
    if (element !== null) {
      const url = new URL(element.dataset.sessionWebsocketUrl || "ws", window.location.href);
      url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
      url.search = "";
      element.dataset.sessionWebsocketUrl = url.href;
    }
  });

  window.addEventListener("keydown", unlock, true);
  window.addEventListener("pointerdown", unlock, true);
})();
