// Komar: small progressive enhancements. Everything works without JavaScript.
document.addEventListener("htmx:responseError", function (event) {
  var target = event.detail.target;
  if (target) {
    target.setAttribute("aria-busy", "false");
  }
});
