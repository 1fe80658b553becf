import type { MessageKey } from "./nl-BE";

// English. Typed against the Dutch catalog: a missing key is a compile error.
export const en: Record<MessageKey, string> = {
  "app.name": "Nabij",
  "app.tagline": "Your case files, close by. Even without a connection.",
  "nav.home": "Home",
  "language.label": "Language",
  "language.nl-BE": "Nederlands",
  "language.en": "English",
  "home.title": "Welcome to Nabij",
  "home.intro":
    "Nabij keeps your case files on this laptop and shares them with your team whenever there is a connection.",
  "store.title": "Storage on this laptop",
  "store.dataDir": "Data folder",
  "store.databaseFile": "Database file",
  "store.schemaVersion": "Schema version",
  "store.caseCount": "Number of cases",
  "store.loading": "Opening storage…",
  "store.openTasks": "Open tasks",
  "store.encryption": "Encryption",
  "store.encrypted": "Encrypted (key in your computer's keyring)",
  "store.notEncrypted": "Not encrypted",
  "home.cases": "Cases",
  "home.openTasks": "Open tasks",
  "error.store_in_use.title": "This data folder is already in use",
  "error.store_in_use.body":
    "Nabij is already open with this data folder, in another window or program. Close that first, or start Nabij with another data folder. Nothing was changed.",
  "error.store_unavailable.title": "The storage cannot be opened",
  "error.store_unavailable.body":
    "Nabij cannot read the data on this laptop. Your data was not changed. Show the technical details to whoever manages your IT.",
  "error.store_key.title": "The key of this storage is missing",
  "error.store_key.body":
    "The data on this laptop is encrypted, but its key is missing or does not fit. Nabij changed nothing and will not create a new, empty storage. Ask whoever manages your IT for help.",
  "error.keyring_unavailable.title": "Your computer's keyring is not available",
  "error.keyring_unavailable.body":
    "Nabij keeps the key of your data in your computer's keyring, which is locked or not running. Log in again and restart Nabij.",
  "error.invalid.title": "This cannot be saved",
  "error.invalid.body": "A field is empty, too long or not valid. Nothing was changed.",
  "error.not_found.title": "Not found",
  "error.not_found.body": "This does not exist (any more) on this laptop.",
  "error.no_profile.title": "No team on this laptop yet",
  "error.no_profile.body": "Create a team or join your team first. Then you can open cases.",
  "error.internal.title": "Something went wrong in Nabij",
  "error.internal.body":
    "This is a bug in Nabij. Your data was not changed. Restart Nabij; if it keeps happening, report it with the technical details.",
  "error.details": "Technical details",
};
