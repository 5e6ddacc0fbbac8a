'use strict';
window.strongroomCeremony('unlock-form', (optionsJSON) =>
  window.SimpleWebAuthnBrowser.startAuthentication({ optionsJSON }),
);
