/* Move focus to an error message shown after a form was sent, so that keyboard and
   screen-reader users learn about it at once (messages rendered with the page are not
   announced by every screen reader). */
(function () {
  "use strict";
  var error = document.querySelector(".messages .message-error");
  if (error && !window.location.hash) {
    document.getElementById("messages").focus();
  }
})();

/* A button that prints the page (the register extract), without an inline handler. */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
