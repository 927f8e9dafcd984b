// Dynamic Registration §3.6: the platform closes the registration window when it
// receives org.imsglobal.lti.close, so the message is sent only when the person has
// read the outcome and clicks Close. Served from the binary: no inline script.
(function () {
  var buttons = document.querySelectorAll('[data-lti-close]');
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener('click', function () {
      var target = window.opener || window.parent;
      if (target && target !== window) {
        target.postMessage({ subject: 'org.imsglobal.lti.close' }, '*');
      } else {
        window.close();
      }
    });
  }
})();
