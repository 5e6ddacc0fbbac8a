'use strict';
window.strongroomCeremony('approve-form', (optionsJSON) =>
  window.SimpleWebAuthnBrowser.startAuthentication({ optionsJSON }),
);
