// Dutch (Belgium): the reference catalog. Every key here must exist in en.ts too.
export const nlBE = {
  "app.name": "Nabij",
  "app.tagline": "Je dossiers, dichtbij. Ook zonder verbinding.",
  "nav.home": "Start",
  "language.label": "Taal",
  "language.nl-BE": "Nederlands",
  "language.en": "English",
  "home.title": "Welkom bij Nabij",
  "home.intro":
    "Nabij bewaart je dossiers op deze laptop en deelt ze met je team zodra er een verbinding is.",
  "store.title": "Opslag op deze laptop",
  "store.dataDir": "Gegevensmap",
  "store.databaseFile": "Databasebestand",
  "store.schemaVersion": "Schemaversie",
  "store.caseCount": "Aantal dossiers",
  "store.loading": "Opslag wordt geopend…",
  "store.openTasks": "Open taken",
  "store.encryption": "Versleuteling",
  "store.encrypted": "Versleuteld (sleutel in de sleutelbos van je computer)",
  "store.notEncrypted": "Niet versleuteld",
  "home.cases": "Dossiers",
  "home.openTasks": "Open taken",
  "error.store_in_use.title": "Deze gegevensmap is al in gebruik",
  "error.store_in_use.body":
    "Nabij is al geopend met deze gegevensmap, in een ander venster of door een ander programma. Sluit dat eerst, of start Nabij met een andere gegevensmap. Er is niets gewijzigd.",
  "error.store_unavailable.title": "De opslag kan niet geopend worden",
  "error.store_unavailable.body":
    "Nabij kan de gegevens op deze laptop niet lezen. Je gegevens zijn niet gewijzigd. Toon de technische details aan wie je informatica beheert.",
  "error.store_key.title": "De sleutel van deze opslag ontbreekt",
  "error.store_key.body":
    "De gegevens op deze laptop zijn versleuteld, maar de sleutel ontbreekt of past niet. Nabij heeft niets gewijzigd en maakt geen nieuwe, lege opslag. Vraag hulp aan wie je informatica beheert.",
  "error.keyring_unavailable.title": "De sleutelbos van je computer is niet bereikbaar",
  "error.keyring_unavailable.body":
    "Nabij bewaart de sleutel van je gegevens in de sleutelbos van je computer. Die is vergrendeld of niet gestart. Meld je opnieuw aan en start Nabij opnieuw.",
  "error.invalid.title": "Dit kan niet bewaard worden",
  "error.invalid.body": "Een veld is leeg, te lang of ongeldig. Er is niets gewijzigd.",
  "error.not_found.title": "Niet gevonden",
  "error.not_found.body": "Dit bestaat niet (meer) op deze laptop.",
  "error.no_profile.title": "Nog geen team op deze laptop",
  "error.no_profile.body":
    "Maak eerst een team aan of sluit aan bij je team. Daarna kun je dossiers openen.",
  "error.internal.title": "Er ging iets mis in Nabij",
  "error.internal.body":
    "Dit is een fout in Nabij. Je gegevens zijn niet gewijzigd. Start Nabij opnieuw; blijft het gebeuren, meld het dan met de technische details.",
  "error.details": "Technische details",
} as const;

export type MessageKey = keyof typeof nlBE;
