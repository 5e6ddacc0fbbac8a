'use strict';
window.strongroomCeremony('register-form', (optionsJSON) =>
  window.SimpleWebAuthnBrowser.startRegistration({ optionsJSON }),
);
