// The staff view works without this file; it only adds a print button and a confirmation before irreversible acts.
document.addEventListener("click", function (event) {
  var target = event.target;
  if (target.matches("[data-print]")) {
    window.print();
  } else if (target.matches("[data-confirm]") && !window.confirm(target.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});
