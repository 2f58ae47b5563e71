// Swagger UI for the REST API, started from a file (the CSP allows no inline
// script). The schema's address is on the page's root element.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: root.dataset.schemaUrl,
    domNode: root,
    deepLinking: true,
    // Requests from "Try it out" send the session's CSRF token, read from the page.
    requestInterceptor: function (request) {
      request.headers["X-CSRFToken"] = root.dataset.csrfToken;
      return request;
    },
  });
})();
