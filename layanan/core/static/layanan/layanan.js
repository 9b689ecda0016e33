// The little behaviour the pages need, without inline script (the Content-Security-Policy
// allows scripts from our own static files only). Everything works without it too.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) {
    event.preventDefault();
    window.print();
  }
});
document.addEventListener("change", function (event) {
  var field = event.target.closest("[data-autosubmit]");
  if (field && field.form) {
    field.form.submit();
  }
});
// After a form came back with errors, the server marked the first invalid field `autofocus`
// (that alone works without JavaScript); here it is also scrolled into the middle of the screen,
// below the header, with its error message in view.
document.addEventListener("DOMContentLoaded", function () {
  var first = document.querySelector(".has-error [autofocus], [aria-invalid='true']");
  if (!first) {
    return;
  }
  if (first.scrollIntoView) {
    first.scrollIntoView({block: "center"});
  }
  if (document.activeElement !== first && first.focus) {
    first.focus({preventScroll: true});
  }
});
