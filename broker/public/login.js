'use strict';
window.strongroomCeremony('sign-in-form', (optionsJSON) =>
  window.SimpleWebAuthnBrowser.startAuthentication({ optionsJSON }),
);
