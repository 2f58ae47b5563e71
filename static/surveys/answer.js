// The answering page's progress line: "N of M answered", counted again whenever an
// answer changes. The form works the same without it (the server counts too).
(function () {
  "use strict";
  var form = document.querySelector("form[data-progress]");
  if (!form) return;
  var bar = document.getElementById(form.dataset.progress);
  var text = document.getElementById(form.dataset.progress + "-text");
  var questions = form.querySelectorAll(".answer-question");

  function answered(question) {
    var fields = question.querySelectorAll("input, textarea, select");
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      if (field.type === "radio" || field.type === "checkbox") {
        if (field.checked) return true;
      } else if (field.value.trim() !== "") {
        return true;
      }
    }
    return false;
  }

  function update() {
    var done = 0;
    questions.forEach(function (question) { if (answered(question)) done++; });
    bar.value = done;
    text.textContent = done + " of " + questions.length + " answered";
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();
