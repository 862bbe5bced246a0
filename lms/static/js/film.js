/* Reports which parts of a film have actually been played (video.played), so that the server
   can count a film as watched at 90 %. Seeking adds nothing: only played ranges are sent.
   The server credits no more than could have been played at the fastest rate the player offers
   (data-max-rate), so the player refuses faster rates, and when the server says it could not
   credit everything yet, the same ranges are sent again a little later. */
(function () {
  "use strict";
  var token = document.querySelector('meta[name="csrf-token"]');
  var csrf = token ? token.getAttribute("content") : "";

  // The film record's length is what counts: a file a little longer than it adds nothing.
  function ranges(video, length) {
    var out = [];
    for (var i = 0; i < video.played.length; i++) {
      var start = video.played.start(i);
      var end = length > 0 ? Math.min(video.played.end(i), length) : video.played.end(i);
      if (end > start) out.push([start, end]);
    }
    return out;
  }

  function setup(figure) {
    var video = figure.querySelector("video");
    var status = figure.querySelector("[data-film-status]");
    // Only "watched" and errors are announced: a running percentage would talk over the film.
    var announce = figure.querySelector("[data-film-announce]");
    var url = figure.getAttribute("data-progress-url");
    if (!video || !url) return;
    var length = parseFloat(figure.getAttribute("data-film-length")) || 0;
    var maxRate = parseFloat(figure.getAttribute("data-max-rate")) || 2;
    var lastSent = "";
    var timer = null;
    var retry = null;

    function send() {
      var played = ranges(video, length);
      var body = JSON.stringify({ played: played });
      if (!played.length || body === lastSent) return Promise.resolve();
      lastSent = body;
      return fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: body,
        keepalive: true
      })
        .then(function (response) {
          // A redirect means the login expired (the server answers JSON otherwise).
          if (response.redirected || !response.headers.get("Content-Type").includes("json")) {
            throw new Error("not saved");
          }
          return response.json();
        })
        .then(function (data) {
          if (data.error) {
            status.textContent = data.error;
            if (announce) announce.textContent = data.error;
          } else if (data.watched) {
            var text = status.getAttribute("data-watched-text");
            if (status.textContent !== text && announce) announce.textContent = text;
            status.textContent = text;
            figure.setAttribute("data-watched", "true");
          } else {
            status.textContent = status.getAttribute("data-percent-text").replace("{percent}", data.percent);
            if (data.uncredited_seconds > 0 && !retry) {
              retry = window.setTimeout(function () {
                retry = null;
                lastSent = "";
                send();
              }, 3000);
            }
          }
        })
        .catch(function () {
          lastSent = "";
          var text = status.getAttribute("data-error-text");
          status.textContent = text;
          if (announce) announce.textContent = text;
        });
    }

    // The browser's own menu stops at 2x; a script or extension may ask for more.
    video.addEventListener("ratechange", function () {
      if (video.playbackRate > maxRate) video.playbackRate = maxRate;
      if (video.defaultPlaybackRate > maxRate) video.defaultPlaybackRate = maxRate;
    });
    video.addEventListener("play", function () {
      if (!timer) timer = window.setInterval(send, 5000);
    });
    ["pause", "ended", "seeking"].forEach(function (name) { video.addEventListener(name, send); });
    video.addEventListener("ended", function () { window.clearInterval(timer); timer = null; });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") send();
    });
  }

  document.querySelectorAll("[data-film]").forEach(setup);
})();
