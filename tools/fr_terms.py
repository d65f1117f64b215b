"""French (Québec front-desk vocabulary, docs/rules.md §8) of every message of i18n/account_billing_operations.pot.

tools/make_fr_po.py writes i18n/fr.po from the .pot and this table (fr.po serves fr_CA too: Odoo loads
fr.po, then fr_CA.po, for a fr_CA user). To translate a new message: add one line `"msgid": "msgstr",`
in the right block (keep %(name)s placeholders and markup), then `make pot`; it fails and lists the
messages still missing.

Vocabulary (docs/rules.md §8 first, then the words around it):
  Billing (tab) Dossier client (not docs/rules.md §8's Facturation: Odoo's own Invoicing tab on the same form) ·
  Operations Opérations · Current balance Solde actuel · in credit créditeur ·
  Create a credit Créer un crédit · Taxes: included Taxes : incluses · Record a refund Enregistrer un
  remboursement · Reverse an erroneous credit Renverser un crédit erroné · Create an invoice Créer une
  facture · Cancel refund Annuler le remboursement · Cancel/refund items Annuler/rembourser des articles ·
  Penalty Pénalité · Make a payment Effectuer un paiement · Payment mode Mode de paiement · Postdated
  Postdaté · Use the credit on file Utiliser le crédit au dossier.
  credit note note de crédit · refund remboursement · invoice facture · payment paiement · balance solde ·
  scheduled (postdated) payment paiement planifié (postdaté) · settlement règlement · cut-off heure
  limite · payment method méthode de paiement (the journal is the « mode de paiement ») · client client ·
  statement (of account) relevé (de compte) · refund journal journal de remboursement ·
  Odoo's own buttons as Odoo's French shows them: Reverse « Extourner », Register Payment « Enregistrer
  un paiement », Incoming/Outgoing Payments « Paiements entrants/sortants », Account Receivable
  « Compte client », Accounting « Comptabilité ».
"""

# docs/rules.md §8, word for word.
SPEC_8 = {
    # The client form's tab: not "Facturation", the name of Odoo's own Invoicing tab on the same form
    # (docs/rules.md §8's word); "Dossier client", the front desk's word for a client's file (« crédit au dossier »).
    "Billing": "Dossier client",
    "Operations": "Opérations",
    "Current balance": "Solde actuel",
    "Credit %(amount)s": "Créditeur %(amount)s",
    "Create a credit": "Créer un crédit",
    "Taxes included": "Taxes : incluses",
    "Record a refund": "Enregistrer un remboursement",
    "Reverse an erroneous credit": "Renverser un crédit erroné",
    "Create an invoice": "Créer une facture",
    "Cancel refund": "Annuler le remboursement",
    "Cancel/refund items": "Annuler/rembourser des articles",
    "Penalty": "Pénalité",
    "Make a payment": "Effectuer un paiement",
    "Payment mode": "Mode de paiement",
    "Postdated": "Postdaté",
    "Use the credit on file": "Utiliser le crédit au dossier",
}

# Field labels, buttons, selections, menus, groups and models.
LABELS = {
    "+ raises the balance, − lowers it.": "+ augmente le solde, − le diminue.",
    '<span class="o_stat_text">Refunded</span>': '<span class="o_stat_text">Remboursé</span>',
    "Account": "Compte",
    "After this refund the client will owe money:": "Après ce remboursement, le client devra de l'argent :",
    "Already cancelled": "Déjà annulé",
    "Already scheduled": "Déjà planifié",
    "Amount": "Montant",
    "Amount due": "Montant dû",
    "An amount, or a percentage (0-100) of the base.": "Un montant, ou un pourcentage (0-100) de la base.",
    "Args Hash": "Empreinte des arguments",
    "Available Credit": "Crédit disponible",
    "Available Method Line": "Méthode disponible",
    "Available Payment": "Paiement disponible",
    "Available Payment Method Line": "Méthode de paiement disponible",
    "Available credit": "Crédit disponible",
    "Balance": "Solde",
    "Balance After": "Solde après",
    "Balance after": "Solde après",
    "Balance after the operation": "Solde après l'opération",
    "Balance after the refund": "Solde après le remboursement",
    "Base (taxes included)": "Base (taxes incluses)",
    "Billing Has Cancellations": "Facturation : a des annulations",
    "Billing Operations": "Opérations de facturation",
    "Billing Scheduled Label": "Libellé des paiements planifiés",
    "Billing charge": "Facture manuelle",
    "Billing credit": "Crédit de facturation",
    "Billing credit product": "Produit des crédits de facturation",
    "Billing currency": "Devise de facturation",
    "Billing document": "Document de facturation",
    "Billing note": "Note de facturation",
    "Billing operation": "Opération de facturation",
    "Billing operation idempotency key": "Clé d'idempotence des opérations de facturation",
    "Billing operations": "Opérations de facturation",
    "Billing payments": "Paiements de facturation",
    "Billing timeline": "Historique de facturation",
    "Billing wizard opened from a customer invoice": "Assistant de facturation ouvert à partir d'une facture client",
    "Billing wizard opened on a selection of clients":
        "Assistant de facturation ouvert sur une sélection de clients",
    "Inputs of a billing credit or invoice": "Saisie d'un crédit ou d'une facture du dossier client",
    "Billing: apply the scheduled (postdated) payments due today":
        "Facturation : appliquer les paiements planifiés (postdatés) échus aujourd'hui",
    "Billing: refunds": "Facturation : remboursements",
    "Billing: refuse full card numbers in free text":
        "Facturation : refuser les numéros de carte complets dans le texte libre",
    "Billing: settle the refunds whose cut-off has passed":
        "Facturation : régler les remboursements dont l'heure limite est passée",
    "Blocked": "Bloqué",
    "Can Refund": "Peut rembourser",
    "Can be cancelled": "Peut être annulé",
    "Cancel": "À annuler",
    "Cancel or refund invoice items": "Annuler ou rembourser des articles d'une facture",
    "Cancel the items": "Annuler les articles",
    "Cancel the scheduled payment": "Annuler le paiement planifié",
    "Cancellable": "Annulable",
    "Cancellable quantity": "Quantité annulable",
    "Cancellation": "Annulation",
    "Cancellation fee": "Frais d'annulation",
    "Cancellation fee product": "Produit des frais d'annulation",
    "Cancelled": "Annulé",
    "Cancelled by": "Annulé par",
    "Cancelled quantity": "Quantité annulée",
    "Cancels invoice line": "Annule la ligne de facture",
    "Cannot cancel yet": "Annulation impossible pour l'instant",
    "Charge": "Facture",
    "Cheque no., bank, card type and last 4 digits, authorisation":
        "N° de chèque, banque, type de carte et 4 derniers chiffres, autorisation",
    "Client": "Client",
    "Client Will Owe": "Le client devra",
    "Client billing timeline": "Historique de facturation du client",
    "Companies": "Sociétés",
    "Company": "Société",
    "Company currency": "Devise de la société",
    "Config Settings": "Paramètres de configuration",
    "Contact": "Contact",
    "Create Date": "Date de création",
    "Create a credit or an invoice for a client": "Créer un crédit ou une facture pour un client",
    "Create the credit": "Créer le crédit",
    "Create the invoice": "Créer la facture",
    "Created by": "Créé par",
    "Created on": "Créé le",
    "Credit": "Crédit",
    "Credit applied": "Crédit appliqué",
    "Credit note": "Note de crédit",
    "Credit on file": "Crédit au dossier",
    "Credits": "Crédits",
    "Credits and cancellations": "Crédits et annulations",
    "Currency": "Devise",
    "Date": "Date",
    "Description": "Description",
    "Discard": "Abandonner",
    "Display Name": "Nom d'affichage",
    "Document": "Document",
    "Draft": "Brouillon",
    "Each invoice line": "Chaque ligne de facture",
    "Group By": "Regrouper par",
    "ID": "ID",
    "In payment": "En cours de paiement",
    "In process": "En traitement",
    "Invoice": "Facture",
    "Invoice item to cancel": "Article de facture à annuler",
    "Invoice line": "Ligne de facture",
    "Invoice paid": "Facture payée",
    "Invoiced": "Facturé",
    "Invoices": "Factures",
    "Invoicing app legacy": "Ancienne application Facturation",
    "Items": "Articles",
    "Items cancellation": "Annulation d'articles",
    "Journal": "Journal",
    "Journal Entry": "Pièce comptable",
    "Journal Item": "Écriture comptable",
    "Partial Reconcile": "Rapprochement",
    "Key": "Clé",
    "Kind": "Type",
    "Last Updated by": "Mis à jour par",
    "Last Updated on": "Mis à jour le",
    "Left to pay after": "Reste à payer après",
    "Left to refund": "Reste à rembourser",
    "Line total": "Total de la ligne",
    "Make the payment": "Effectuer le paiement",
    "Make a payment on a customer invoice": "Effectuer un paiement sur une facture client",
    "Method": "Méthode",
    "Model and method, e.g. res.partner.billing_create_credit.":
        "Modèle et méthode, p. ex. res.partner.billing_create_credit.",
    "None": "Aucune",
    "Not paid": "Non payé",
    "Note": "Note",
    "Number of refunds": "Nombre de remboursements",
    "Open": "Ouvrir",
    "Operation": "Opération",
    "Or from the journal": "Ou à partir du journal",
    "Paid": "Payé",
    "Paid on this invoice": "Payé sur cette facture",
    "Partially paid": "Partiellement payé",
    "Partly cancelled": "Partiellement annulé",
    "Pay": "Payer",
    "Payer name": "Nom du payeur",
    "Payer reference": "Référence du payeur",
    "Payment": "Paiement",
    "Payment Transaction": "Transaction de paiement",
    "Payment amount": "Montant du paiement",
    "Payment date": "Date du paiement",
    "Payment method": "Méthode de paiement",
    "Payments": "Paiements",
    "Penalty amount": "Montant de la pénalité",
    "Penalty taxes": "Taxes de la pénalité",
    "Penalty value": "Valeur de la pénalité",
    "Penalty without taxes": "Pénalité hors taxes",
    "Pending settlement": "En attente de règlement",
    "Percentage": "Pourcentage",
    "Preview Error": "Erreur d'aperçu",
    "Product": "Produit",
    "Quantity to cancel": "Quantité à annuler",
    "Record a refund of a client's credit": "Enregistrer un remboursement du crédit d'un client",
    "Record the refund": "Enregistrer le remboursement",
    "Reference": "Référence",
    "Refund": "Remboursement",
    "Refund a customer payment": "Rembourser un paiement client",
    "Refund amount": "Montant du remboursement",
    "Refund cancellation": "Annulation de remboursement",
    "Refund from the payment": "Rembourser à partir du paiement",
    "Refund of": "Remboursement de",
    "Refund settlement": "Règlement des remboursements",
    "Refund settlement cut-off": "Heure limite de règlement des remboursements",
    "Refund settlement failure": "Échec du règlement d'un remboursement",
    "Refund state": "État du remboursement",
    "Refunded": "Remboursé",
    "Refunds": "Remboursements",
    "Rejected": "Rejeté",
    "Result": "Résultat",
    "Reversed": "Renversé",
    "Reversed by": "Renversé par",
    "Reversed by (display)": "Renversé par (affichage)",
    "Reverses credit": "Renverse le crédit",
    "Reverses the credit": "Renverse le crédit",
    "Running Balance": "Solde cumulatif",
    "Schedule the payment": "Planifier le paiement",
    "Scheduled": "Planifié",
    "Scheduled (postdated) payment: it is applied to": "Paiement planifié (postdaté) : il sera appliqué à",
    "Scheduled payment": "Paiement planifié",
    "Scheduled payment applied": "Paiement planifié appliqué",
    "Scheduled payment cancellation": "Annulation d'un paiement planifié",
    "Scheduled payment deletion": "Suppression d'un paiement planifié",
    "Scheduled payments": "Paiements planifiés",
    "Scheduled payments (not deducted from the amount due until their date):":
        "Paiements planifiés (non déduits du montant dû avant leur date) :",
    "Settled": "Réglé",
    "Settlement time zone": "Fuseau horaire du règlement",
    "State": "État",
    "Tax": "Taxe",
    "Taxes": "Taxes",
    "The client has": "Le client a",
    "This document": "Ce document",
    "Through Provider": "Par le fournisseur de paiement",
    "Time": "Heure",
    "Time zone": "Fuseau horaire",
    "Total": "Total",
    "Type": "Type",
    "Untaxed": "Hors taxes",
    "Why the button would refuse these values.": "Pourquoi le bouton refuserait ces valeurs.",
    "Why? (kept in the client's file; required for a refund)":
        "Pourquoi? (conservé au dossier du client; requis pour un remboursement)",
    "Why? (required, kept in the client's file)": "Pourquoi? (requis, conservé au dossier du client)",
    "Wizard": "Assistant",
    "Account Chart Template": "Modèle de plan comptable",
    "Clients": "Clients",
    "Close": "Fermer",
    "Create the credits": "Créer les crédits",
    "Create the same credit for several clients": "Créer le même crédit pour plusieurs clients",
    "Credit Count": "Nombre de crédits",
    "Credit Total": "Total des crédits",
    "Credits created": "Crédits créés",
    "Done": "Terminé",
    "Open the credits": "Ouvrir les crédits",
    "Operation key": "Clé de l'opération",
    "Why? (required, kept in each client's file), e.g. Pool closed two weeks: goodwill credit":
        "Pourquoi? (requis, conservé au dossier de chaque client), p. ex. Piscine fermée deux semaines : crédit "
        "de courtoisie",
    "credit(s) created, for a total of": "crédit(s) créé(s), pour un total de",
    "of credit on file.": "de crédit au dossier.",
    "on its date.": "à sa date.",
}

# Help texts (tooltips).
HELPS = {
    "A date after today: the payment is applied on that date.":
        "Une date après aujourd'hui : le paiement sera appliqué à cette date.",
    "A pending refund can be cancelled the day it was made, before the settlement cut-off.":
        "Un remboursement en attente peut être annulé le jour même, avant l'heure limite de règlement.",
    "Apply the client's open credit to this invoice, oldest first, before paying the rest.":
        "Appliquer le crédit ouvert du client à cette facture, le plus ancien d'abord, avant de payer le reste.",
    "Cancel/refund items: the invoice line this credit-note line cancels.":
        "Annuler/rembourser des articles : la ligne de facture que cette ligne de note de crédit annule.",
    "Cancel/refund items: the penalty line, a tax-included amount whose taxes are carved out.":
        "Annuler/rembourser des articles : la ligne de pénalité, un montant taxes incluses dont les taxes sont "
        "extraites.",
    "Card payments made online are refunded from the payment itself (open it, then Refund).":
        "Les paiements par carte faits en ligne se remboursent à partir du paiement lui-même (ouvrez-le, puis "
        "« Remboursement »).",
    "Cheque number, bank, card type and last four digits, authorisation code. Never a full card number.":
        "Numéro de chèque, banque, type de carte et quatre derniers chiffres, code d'autorisation. Jamais un "
        "numéro de carte complet.",
    "Paid with the payment mode below; when the credit on file is used, what is left to pay.":
        "Payé avec le mode de paiement ci-dessous; si le crédit au dossier est utilisé, ce qui reste à payer.",
    "Payments made with Make a payment from this invoice.":
        "Paiements faits avec « Effectuer un paiement » à partir de cette facture.",
    "Postdated payments of this invoice waiting for their date: not deducted from the amount due yet, so "
    "they are left out of the amount proposed.":
        "Paiements postdatés de cette facture qui attendent leur date : ils ne sont pas encore déduits du "
        "montant dû, et sont donc exclus du montant proposé.",
    "Postdated payments recorded and not yet applied.": "Paiements postdatés enregistrés, pas encore appliqués.",
    "Postdated payments recorded for this invoice and not applied yet: they are not deducted from the amount "
    "due until their date.":
        "Paiements postdatés enregistrés pour cette facture et pas encore appliqués : ils ne sont déduits du "
        "montant dû qu'à leur date.",
    "Product of the penalty line when invoice items are cancelled (its own income account).":
        "Produit de la ligne de pénalité quand des articles de facture sont annulés (son propre compte de revenus).",
    "Product of the single line of the credits and charges made from a client's Operations menu: its income "
    "account and its taxes are used.":
        "Produit de la ligne unique des crédits et des factures faits à partir du menu Opérations d'un client : "
        "son compte de revenus et ses taxes sont utilisés.",
    "Products of the line of the credits and invoices made from a client's Operations menu, and of the "
    "penalty of Cancel/refund items, with their sales taxes in this company":
        "Produits de la ligne des crédits et des factures faits à partir du menu Opérations d'un client, et de "
        "la pénalité de « Annuler/rembourser des articles », avec leurs taxes de vente dans cette société",
    "Proposed for Record a refund and for the refunds of Cancel/refund items made without a payment (a payment "
    "is refunded in its own journal)":
        "Proposé pour « Enregistrer un remboursement » et pour les remboursements de « Annuler/rembourser des "
        "articles » faits sans paiement (un paiement est remboursé dans son propre journal)",
    "Quantity of this invoice line cancelled by posted credit notes (Cancel/refund items).":
        "Quantité de cette ligne de facture annulée par des notes de crédit comptabilisées (Annuler/rembourser "
        "des articles).",
    "Record refunds (from the Operations menu or from a payment), cancel them the same day, and refund money "
    "when cancelling invoice items.":
        "Enregistrer des remboursements (à partir du menu Opérations ou d'un paiement), les annuler le jour même "
        "et rembourser de l'argent à l'annulation d'articles de facture.",
    "Refunds can be cancelled until this time of day, in this time zone (empty: the time zone of the "
    "company's address, else UTC); then they are settled.":
        "Les remboursements peuvent être annulés jusqu'à cette heure, dans ce fuseau horaire (vide : le fuseau "
        "horaire de l'adresse de la société, sinon UTC); ils sont ensuite réglés.",
    "Refunds only: pending settlement until the day's settlement cut-off, then settled; a pending refund can "
    "be cancelled.":
        "Remboursements seulement : en attente de règlement jusqu'à l'heure limite du jour, puis réglés; un "
        "remboursement en attente peut être annulé.",
    "Reverse an erroneous credit: the invoice is reconciled with it while it is open.":
        "Renverser un crédit erroné : la facture y est lettrée tant qu'il est ouvert.",
    "SHA-256 of the call's normalised arguments.": "SHA-256 des arguments normalisés de l'appel.",
    "Scheduled payment: it is applied to its invoice on its date by a scheduled action.":
        "Paiement planifié : il est appliqué à sa facture à sa date par une action planifiée.",
    "Set on the documents made by the client's billing operations.":
        "Indiqué sur les documents créés par les opérations de facturation du client.",
    "Sum of the open amounts of the client's posted receivable items in the current company. Positive: the "
    "client owes; negative: the client is in credit.":
        "Somme des montants ouverts des écritures à recevoir comptabilisées du client dans la société courante. "
        "Positif : le client doit; négatif : le client est créditeur.",
    "Sum of the refunds of this payment that are not cancelled.":
        "Somme des remboursements non annulés de ce paiement.",
    "Taxes included: the cancellation fee keeps its share of sales tax.":
        "Taxes incluses : les frais d'annulation gardent leur part de taxes de vente.",
    "The client's balance just after this row.": "Le solde du client juste après cette ligne.",
    "The client's open credit items (credit notes, overpayments) that can be applied to this invoice.":
        "Les crédits ouverts du client (notes de crédit, paiements en trop) qui peuvent être appliqués à cette "
        "facture.",
    "The credit on file applied to this invoice, up to what the scheduled payments leave to pay.":
        "Le crédit au dossier appliqué à cette facture, jusqu'à ce qui reste à payer après les paiements "
        "planifiés.",
    "The erroneous credit this charge reverses (Create an invoice).":
        "Le crédit erroné que cette facture renverse (Créer une facture).",
    "The invoice this payment was made from (Make a payment).":
        "La facture à partir de laquelle ce paiement a été fait (Effectuer un paiement).",
    "The optional quantity expressed by this line, eg: number of product sold. The quantity is not a legal "
    "requirement but is very useful for some reports.":
        "La quantité facultative exprimée par cette ligne, p. ex. le nombre de produits vendus. La quantité "
        "n'est pas une exigence légale, mais elle est très utile pour certains rapports.",
    "The payment this refund gives money back on. Set when the refund is made; it never changes.":
        "Le paiement sur lequel ce remboursement redonne de l'argent. Fixé à la création du remboursement; il ne "
        "change jamais.",
    "The payment's currency.": "La devise du paiement.",
    "This card payment is refunded through its payment provider at the day's settlement;\n"
    "                    until then the refund can be cancelled.":
        "Ce paiement par carte est remboursé par son fournisseur de paiement au règlement du jour;\n"
        "                    d'ici là, le remboursement peut être annulé.",
    "Time of day (in the settlement time zone) at which the day's refunds are settled: card refunds are sent "
    "to the payment provider and can no longer be cancelled.":
        "Heure (dans le fuseau horaire du règlement) à laquelle les remboursements du jour sont réglés : les "
        "remboursements par carte sont envoyés au fournisseur de paiement et ne peuvent plus être annulés.",
    "Time zone of the refund settlement cut-off. Empty: the time zone of the company's address (its "
    "contact), else UTC.":
        "Fuseau horaire de l'heure limite de règlement des remboursements. Vide : le fuseau horaire de l'adresse "
        "de la société (son contact), sinon UTC.",
    "What is left to pay once this payment, the credit applied and the scheduled payments are counted.":
        "Ce qui reste à payer une fois ce paiement, le crédit appliqué et les paiements planifiés comptés.",
    "Makes a retry of this operation create nothing twice (one key per client is derived from it).":
        "Fait qu'une nouvelle tentative de cette opération ne crée rien en double (une clé par client en est "
        "dérivée).",
    "One credit per client selected, with the same amount, taxes and note. If one client cannot\n"
    "                        receive it, no credit is created for anyone.":
        "Un crédit par client sélectionné, avec le même montant, les mêmes taxes et la même note. Si un client ne "
        "peut\n                        pas le recevoir, aucun crédit n'est créé, pour aucun client.",
}

# Words put into messages as %(label)s / %(what)s arguments: lower case, to read inside a sentence.
ARGUMENTS = {
    "The amount": "Le montant",
    "The credit": "Le crédit",
    "The credit to reverse": "Le crédit à renverser",
    "The invoice": "La facture",
    "The journal": "Le journal",
    "The note": "La note",
    "The payer name": "Le nom du payeur",
    "The payer reference": "La référence du payeur",
    "The payment": "Le paiement",
    "The payment method": "La méthode de paiement",
    "The payment to refund": "Le paiement à rembourser",
    "The penalty": "La pénalité",
    "The quantity to cancel": "La quantité à annuler",
    "The refund": "Le remboursement",
    "The refund amount": "Le montant du remboursement",
    "The tax": "La taxe",
    "a credit": "un crédit",
    "a payment mode": "un mode de paiement",
    "a refund": "un remboursement",
    "an invoice": "une facture",
    "client": "client",
    "invoice": "facture",
    "items cancelled": "articles annulés",
    "payment": "paiement",
    "refund": "remboursement",
    "the journal the refund is paid from": "le journal d'où le remboursement est payé",
    "this operation": "cette opération",
}

# Audit notes (internal notes on the client and the documents).
AUDIT = {
    "%(amount)s on %(date)s": "%(amount)s le %(date)s",
    "%(body)s Document(s): %(docs)s": "%(body)s Document(s) : %(docs)s",
    "%(operation)s by %(user)s on %(when)s: %(payments)s": "%(operation)s par %(user)s le %(when)s : %(payments)s",
    "%(operation)s of %(amount)s by %(user)s on %(when)s. Note: %(note)s":
        "%(operation)s de %(amount)s par %(user)s le %(when)s. Note : %(note)s",
    "%(operation)s of %(amount)s by %(user)s on %(when)s: %(count)s refund(s) settled, which can no longer be "
    "cancelled: %(refunds)s.":
        "%(operation)s de %(amount)s par %(user)s le %(when)s : %(count)s remboursement(s) réglé(s), qui ne "
        "peuvent plus être annulés : %(refunds)s.",
    "Cancellation of: %(invoice)s, %(reason)s": "Annulation de : %(invoice)s, %(reason)s",
    "Cancelled items of %(invoice)s: %(items)s. Base %(base)s, penalty %(penalty)s, credit %(credit)s.":
        "Articles annulés de %(invoice)s : %(items)s. Base %(base)s, pénalité %(penalty)s, crédit %(credit)s.",
    "Charge back the refund %(refund)s, which can no longer be cancelled.":
        "Refacturer le remboursement %(refund)s, qui ne peut plus être annulé.",
    "Credit on file applied: %(amount)s.": "Crédit au dossier appliqué : %(amount)s.",
    "Made from %(invoice)s by %(user)s. %(details)s": "Fait à partir de %(invoice)s par %(user)s. %(details)s",
    "Paid with %(mode)s: %(amount)s.": "Payé par %(mode)s : %(amount)s.",
    "Payer: %(name)s %(reference)s.": "Payeur : %(name)s %(reference)s.",
    "Payment of %(invoice)s": "Paiement de %(invoice)s",
    "Postdated to %(date)s: scheduled, applied on its date.":
        "Postdaté au %(date)s : planifié, appliqué à sa date.",
    "Refund of %(amount)s of the payment %(payment)s.": "Remboursement de %(amount)s du paiement %(payment)s.",
    "Refund of %(amount)s.": "Remboursement de %(amount)s.",
    "Refunded %(amount)s by %(refund)s.": "%(amount)s remboursé par %(refund)s.",
    "Refunded: %(amount)s (%(refund)s).": "Remboursé : %(amount)s (%(refund)s).",
    "Refunds of %(payment)s": "Remboursements de %(payment)s",
    "Reversed by %(move)s.": "Renversé par %(move)s.",
    "Reverses %(credit)s.": "Renverse %(credit)s.",
    "Scheduled payment %(payment)s of %(amount)s applied to %(invoice)s on its date (%(date)s).":
        "Paiement planifié %(payment)s de %(amount)s appliqué à %(invoice)s à sa date (%(date)s).",
    "Scheduled payment %(payment)s of %(amount)s due on %(date)s cancelled.":
        "Paiement planifié %(payment)s de %(amount)s prévu le %(date)s annulé.",
    "Scheduled payment %(payment)s of %(amount)s due on %(date)s deleted.":
        "Paiement planifié %(payment)s de %(amount)s prévu le %(date)s supprimé.",
    "Sent to the payment provider (transaction %(reference)s).":
        "Envoyé au fournisseur de paiement (transaction %(reference)s).",
    "The refund %(refund)s could not be settled (%(reason)s): it stays pending and the next settlement run "
    "tries again.":
        "Le remboursement %(refund)s n'a pas pu être réglé (%(reason)s) : il reste en attente et le prochain "
        "règlement réessaiera.",
    "The refund %(refund)s was cancelled.": "Le remboursement %(refund)s a été annulé.",
}

# Error messages: what went wrong and what to do, naming the buttons as the French screen shows them.
ERRORS = {
    "%(amount)s (%(company_amount)s) is more than %(client)s's available credit (%(credit)s). Lower the refund.":
        "%(amount)s (%(company_amount)s) dépasse le crédit disponible de %(client)s (%(credit)s). Diminuez le "
        "remboursement.",
    "%(amount)s is more than %(client)s's available credit (%(credit)s). Refund at most %(credit)s.":
        "%(amount)s dépasse le crédit disponible de %(client)s (%(credit)s). Remboursez au plus %(credit)s.",
    "%(amount)s is more than what is left to refund on %(payment)s: %(cap)s (the amount its journal entry "
    "booked minus its refunds that are not cancelled). To give back more, use Record a refund on the client's "
    "Billing tab for the rest.":
        "%(amount)s dépasse ce qui reste à rembourser sur %(payment)s : %(cap)s (le montant comptabilisé par sa "
        "pièce comptable moins ses remboursements non annulés). Pour redonner davantage, utilisez « Enregistrer "
        "un remboursement » dans l'onglet Dossier client pour le reste.",
    "%(client)s: %(error)s": "%(client)s : %(error)s",
    "%(client)s belongs to the company %(other)s; switch to that company to bill it.":
        "%(client)s appartient à la société %(other)s; passez à cette société pour le facturer.",
    "%(client)s has no credit to refund (balance: %(balance)s). Create a credit first (the Create a credit "
    "button on the client's Billing tab), then refund it.":
        "%(client)s n'a aucun crédit à rembourser (solde : %(balance)s). Créez d'abord un crédit (le bouton "
        "« Créer un crédit » de l'onglet Dossier client), puis remboursez-le.",
    "%(client)s has no open credit to use on %(invoice)s: enter an amount to pay.":
        "%(client)s n'a aucun crédit ouvert à utiliser sur %(invoice)s : saisissez un montant à payer.",
    "%(client)s is archived: restore the client before recording a billing operation.":
        "%(client)s est archivé : restaurez le client avant d'enregistrer une opération de facturation.",
    "%(fields)s of a journal entry are set only by the client's billing operations (the Create a credit and "
    "Create an invoice buttons on the client's Billing tab, the Cancel/refund items button of an invoice): "
    "they cannot be set or changed by hand.":
        "%(fields)s d'une pièce comptable sont fixés seulement par les opérations de facturation du client (les "
        "boutons « Créer un crédit » et « Créer une facture » de l'onglet Dossier client, le bouton "
        "« Annuler/rembourser des articles » d'une facture) : ils ne peuvent pas être saisis ni modifiés à la "
        "main.",
    "%(invoice)s is rounded to %(rounding)s (cash rounding %(method)s): the penalty must be a multiple of "
    "%(rounding)s. Round the penalty.":
        "%(invoice)s est arrondie à %(rounding)s (arrondi des paiements en espèces %(method)s) : la pénalité "
        "doit être un multiple de %(rounding)s. Arrondissez la pénalité.",
    "%(journal)s is not a bank or cash journal: choose %(what)s among the bank and cash journals.":
        "%(journal)s n'est pas un journal de banque ou de caisse : choisissez %(what)s parmi les journaux de "
        "banque et de caisse.",
    "%(label)s %(amount)s has more decimals than the currency %(currency)s allows (%(digits)s).":
        "%(label)s %(amount)s a plus de décimales que la devise %(currency)s ne le permet (%(digits)s).",
    "%(label)s cannot be negative.": "%(label)s : une valeur négative n'est pas permise.",
    "%(label)s must be a finite number, not %(value)s: enter it in figures, for example 25.00.":
        "%(label)s doit être un nombre fini, pas %(value)s : saisissez-le en chiffres, par exemple 25,00.",
    "%(label)s %(value)s is too large: it must be less than %(maximum)s. Check it for a misplaced decimal "
    "point or extra zeros and enter it again.":
        "%(label)s %(value)s est trop grand : il doit être inférieur à %(maximum)s. Vérifiez la virgule "
        "décimale et les zéros en trop, puis saisissez-le de nouveau.",
    "%(document)s (%(client)s) cannot be matched with %(other)s, whose receivable item has no client: a "
    "document made by the client's billing operations is matched only with that client's own items, so "
    "that the client's balance stays equal to its ledger. Set the client on %(other)s first, or match "
    "%(document)s with the client's own items.":
        "%(document)s (%(client)s) ne peut pas être lettré avec %(other)s, dont l'écriture au compte client n'a "
        "pas de client : un document fait par les opérations du dossier client n'est lettré qu'avec les écritures "
        "de son propre client, pour que le solde du client reste égal à son grand livre. Indiquez d'abord le "
        "client sur %(other)s, ou lettrez %(document)s avec les écritures du client.",
    "This payment gives %(client)s more than its available credit, %(available)s: the client would "
    "then owe %(owed)s. Enter at most the available credit as the amount, or use the credit on an "
    "invoice (Make a payment with the credit on file).":
        "Ce paiement donne à %(client)s plus que son crédit disponible, %(available)s : le client devrait "
        "alors %(owed)s. Entrez au plus le crédit disponible comme montant, ou utilisez le crédit sur une "
        "facture (« Effectuer un paiement » avec le crédit au dossier).",
    "%(document)s (%(client)s) cannot be matched with %(other)s of another client, %(other_client)s: a "
    "document made by the client's billing operations is matched only with that client's own items, so "
    "that each client's balance stays equal to its ledger. To move an amount from one client to the "
    "other, create a credit on one (Create a credit on the client's Billing tab) and an invoice on the "
    "other (Create an invoice).":
        "%(document)s (%(client)s) ne peut pas être lettré avec %(other)s d'un autre client, %(other_client)s : "
        "un document fait par les opérations du dossier client n'est lettré qu'avec les écritures de son propre "
        "client, pour que le solde de chaque client reste égal à son grand livre. Pour passer un montant d'un "
        "client à l'autre, créez un crédit sur l'un (« Créer un crédit » dans l'onglet « Dossier client » du "
        "client) et une facture sur l'autre (« Créer une facture »).",
    "%(label)s must be a number, not %(value)s.": "%(label)s doit être un nombre, pas %(value)s.",
    "%(label)s must be given as one record id, not %(value)s.":
        "%(label)s doit être donné par un seul identifiant d'enregistrement, pas %(value)s.",
    "%(label)s must be greater than 0.": "%(label)s doit dépasser 0.",
    "%(label)s must be text, not %(value)s.": "%(label)s doit être du texte, pas %(value)s.",
    "The note must be text, not %(value)s.": "La note doit être du texte, pas %(value)s.",
    "%(method)s is an online payment provider: a card payment made through it is refunded from the payment "
    "itself (open the payment, then Refund). Choose an offline method (cash, cheque, bank transfer, card "
    "terminal) here.":
        "%(method)s est un fournisseur de paiement en ligne : un paiement par carte fait par son entremise se "
        "rembourse à partir du paiement lui-même (ouvrez le paiement, puis « Remboursement »). Choisissez ici "
        "une méthode hors ligne (comptant, chèque, virement bancaire, terminal de paiement).",
    "%(method)s is not an outgoing payment method of the journal %(journal)s.":
        "%(method)s n'est pas une méthode de paiement sortant du journal %(journal)s.",
    "%(move)s is not a posted customer invoice: this operation works only on posted customer invoices.":
        "%(move)s n'est pas une facture client comptabilisée : cette opération ne s'applique qu'aux factures "
        "clients comptabilisées.",
    "%(payment)s cannot be changed into a refund: refunds are made with the Refund button of a payment or "
    "with Record a refund on the client's Billing tab.":
        "%(payment)s ne peut pas être changé en remboursement : les remboursements se font avec le bouton "
        "« Remboursement » d'un paiement ou avec « Enregistrer un remboursement » dans l'onglet Dossier client.",
    "%(payment)s cannot be refunded: only a confirmed customer payment (not a refund, not a scheduled payment "
    "waiting for its date) can be.":
        "%(payment)s ne peut pas être remboursé : seul un paiement client confirmé (ni un remboursement, ni un "
        "paiement planifié qui attend sa date) peut l'être.",
    "%(payment)s cannot be scheduled or linked to an invoice by hand: use the Make a payment button of the "
    "invoice.":
        "%(payment)s ne peut pas être planifié ni lié à une facture à la main : utilisez le bouton « Effectuer "
        "un paiement » de la facture.",
    "%(payment)s has refunds: its amount, currency and client can no longer be changed. To correct it, cancel "
    "its pending refunds with their Cancel refund button first, or record the difference as a new payment or a "
    "refund on the client's Billing tab.":
        "%(payment)s a des remboursements : son montant, sa devise et son client ne peuvent plus être modifiés. "
        "Pour le corriger, annulez d'abord ses remboursements en attente avec leur bouton « Annuler le "
        "remboursement », ou enregistrez la différence comme nouveau paiement ou remboursement dans l'onglet "
        "Dossier client.",
    "%(payment)s is from %(client)s and cannot pay %(invoice)s of %(other)s: cancel it and make the payment "
    "with the Make a payment button of that client's invoice.":
        "%(payment)s vient de %(client)s et ne peut pas payer %(invoice)s de %(other)s : annulez-le et faites le "
        "paiement avec le bouton « Effectuer un paiement » de la facture de ce client.",
    "%(payment)s is not a new refund: it cannot be linked to an invoice.":
        "%(payment)s n'est pas un nouveau remboursement : il ne peut pas être lié à une facture.",
    "%(payment)s is not a refund.": "%(payment)s n'est pas un remboursement.",
    "%(payment)s is not a scheduled payment waiting for its date: it cannot be cancelled here. To give money "
    "back, refund the payment.":
        "%(payment)s n'est pas un paiement planifié qui attend sa date : il ne peut pas être annulé ici. Pour "
        "redonner l'argent, remboursez le paiement.",
    "%(payment)s was made through a payment provider that cannot refund it: give the money back with Record a "
    "refund on the client's Billing tab instead.":
        "%(payment)s a été fait par un fournisseur de paiement qui ne peut pas le rembourser : redonnez plutôt "
        "l'argent avec « Enregistrer un remboursement » dans l'onglet Dossier client.",
    "This payment gives %(client)s %(extra)s more than the credit notes it settles, written off to another "
    "account: money is given back to a client only up to its credit. Enter at most the amount of the credit "
    "notes, or keep the difference open.":
        "Ce paiement donne à %(client)s %(extra)s de plus que les notes de crédit qu'il règle, passés en perte "
        "dans un autre compte : l'argent n'est rendu à un client qu'à hauteur de son crédit. Saisissez au plus "
        "le montant des notes de crédit, ou laissez la différence ouverte.",
    "%(payments)s is a cancelled scheduled payment and cannot be reset to draft. To schedule the payment "
    "again, use Make a payment on the invoice with a postdated date.":
        "%(payments)s est un paiement planifié annulé et ne peut pas être remis en brouillon. Pour planifier "
        "de nouveau le paiement, utilisez Effectuer un paiement sur la facture avec une date postdatée.",
    "%(payments)s is scheduled for %(date)s and is applied automatically on that date. To apply it now, "
    "cancel the scheduled payment and make the payment again without a date.":
        "%(payments)s est planifié pour le %(date)s et sera appliqué automatiquement à cette date. Pour "
        "l'appliquer maintenant, annulez le paiement planifié et refaites le paiement sans date.",
    "%(scheduled)s is already scheduled on %(invoice)s (postdated payments, applied on their date): "
    "%(amount)s is more than what is left to pay, %(left)s. Lower the amount, or cancel a scheduled payment "
    "first.":
        "%(scheduled)s est déjà planifié sur %(invoice)s (paiements postdatés, appliqués à leur date) : "
        "%(amount)s dépasse ce qui reste à payer, %(left)s. Diminuez le montant, ou annulez d'abord un paiement "
        "planifié.",
    "%(taxes)s cannot be used: choose active sales taxes.":
        "%(taxes)s ne peuvent pas être utilisées : choisissez des taxes de vente actives.",
    "%(taxes)s cannot be used for credits or cancellation fees: choose active sales taxes of %(company)s.":
        "%(taxes)s ne peuvent pas être utilisées pour les crédits ou les frais d'annulation : choisissez des "
        "taxes de vente actives de %(company)s.",
    "Money is given back to a client with the Record a refund button on the client's Billing tab, by a user "
    "allowed to make refunds; %(payments)s cannot be matched with %(moves)s.":
        "L'argent est redonné à un client avec le bouton « Enregistrer un remboursement » de l'onglet "
        "Dossier client, par un utilisateur autorisé à faire des remboursements; %(payments)s ne peut pas "
        "être lettré avec %(moves)s.",
    "%(what)s %(names)s belongs to another company (%(other)s); use one of %(company)s.":
        "%(what)s %(names)s appartient à une autre société (%(other)s); choisissez dans la société %(company)s.",
    "A full card number cannot be recorded. Keep only the card type and its last four digits (and the "
    "authorisation code).":
        "Un numéro de carte complet ne peut pas être enregistré. Gardez seulement le type de carte et ses "
        "quatre derniers chiffres (et le code d'autorisation).",
    "A note is required for %(what)s: say why, for the client's file.":
        "Une note est requise pour %(what)s : indiquez pourquoi, pour le dossier du client.",
    "A penalty percentage must be between 0 and 100.": "Un pourcentage de pénalité doit être entre 0 et 100.",
    "A postdated payment must be dated after today (%(today)s); leave the date empty to pay now.":
        "Un paiement postdaté doit être daté après aujourd'hui (%(today)s); laissez la date vide pour payer "
        "maintenant.",
    "A refund is made with the Refund button of a payment or with Record a refund on the client's Billing "
    "tab; it cannot be created directly or imported.":
        "Un remboursement se fait avec le bouton « Remboursement » d'un paiement ou avec « Enregistrer un "
        "remboursement » dans l'onglet Dossier client; il ne peut pas être créé directement ni importé.",
    "A scheduled payment, or a payment linked to its invoice, is made with the Make a payment button of the "
    "invoice; it cannot be created directly or imported.":
        "Un paiement planifié, ou un paiement lié à sa facture, se fait avec le bouton « Effectuer un "
        "paiement » de la facture; il ne peut pas être créé directement ni importé.",
    "Another user is refunding the payment %(payment)s right now. Try again in a moment.":
        "Un autre utilisateur rembourse le paiement %(payment)s en ce moment. Réessayez dans un instant.",
    "Another user is working on %(client)s's credit right now. Try again in a moment.":
        "Un autre utilisateur travaille sur le crédit de %(client)s en ce moment. Réessayez dans un instant.",
    "Another user is working on the credit %(credit)s right now. Try again in a moment.":
        "Un autre utilisateur travaille sur le crédit %(credit)s en ce moment. Réessayez dans un instant.",
    "Another user is working on this client's billing right now. Try again in a moment.":
        "Un autre utilisateur travaille sur la facturation de ce client en ce moment. Réessayez dans un instant.",
    "Cancel this refund? Nothing is sent to the payment provider and the amount is available again.":
        "Annuler ce remboursement? Rien n'est envoyé au fournisseur de paiement et le montant redevient "
        "disponible.",
    "Cancel this scheduled payment? It will not be applied on its date.":
        "Annuler ce paiement planifié? Il ne sera pas appliqué à sa date.",
    "Choose a Cancellation fee product in Settings > Invoicing, section Billing operations, first.":
        "Choisissez d'abord un produit de frais d'annulation dans Paramètres > Facturation, section Opérations "
        "de facturation.",
    "Choose %(what)s: a bank or cash journal.": "Choisissez %(what)s : un journal de banque ou de caisse.",
    "Choose the payment to refund or the journal the refund is paid from.":
        "Choisissez le paiement à rembourser ou le journal d'où le remboursement est payé.",
    "Configure the billing credit product in Accounting settings first.":
        "Configurez d'abord le produit des crédits de facturation dans les paramètres de Comptabilité.",
    "Credit on file and a postdated payment cannot be combined: use the credit now and schedule the rest in a "
    "second operation, or untick Use the credit on file.":
        "Le crédit au dossier et un paiement postdaté ne peuvent pas être combinés : utilisez le crédit "
        "maintenant et planifiez le reste dans une deuxième opération, ou décochez « Utiliser le crédit au "
        "dossier ».",
    "No credit was created: %(client)s was refused: %(error)s":
        "Aucun crédit n'a été créé : %(client)s a été refusé : %(error)s",
    "No credit was created: fix these clients or remove them from the selection, then try again.\n%(errors)s":
        "Aucun crédit n'a été créé : corrigez ces clients ou retirez-les de la sélection, puis réessayez.\n"
        "%(errors)s",
    "Select at least one client.": "Sélectionnez au moins un client.",
    "No credit was created: %(count)s of the selected clients cannot be billed in %(company)s (they belong to a "
    "company you cannot use). Remove them from the selection, then try again.":
        "Aucun crédit n'a été créé : %(count)s des clients sélectionnés ne peuvent pas être facturés dans "
        "%(company)s (ils appartiennent à une société que vous ne pouvez pas utiliser). Retirez-les de la "
        "sélection, puis réessayez.",
    "Enter the date of the postdated payment.": "Saisissez la date du paiement postdaté.",
    "Give each line as a line id or as a [line id, quantity] pair, not %(value)s.":
        "Donnez chaque ligne par son identifiant ou par une paire [identifiant de ligne, quantité], pas "
        "%(value)s.",
    "Give the lines to cancel as a list of invoice line ids or of [line id, quantity] pairs, not %(value)s.":
        "Donnez les lignes à annuler sous forme de liste d'identifiants de lignes de facture ou de paires "
        "[identifiant de ligne, quantité], pas %(value)s.",
    "Line %(line)s is not a product line of %(invoice)s.":
        "La ligne %(line)s n'est pas une ligne de produit de %(invoice)s.",
    "Money is given back to a client with the Record a refund button on the client's Billing tab, by a user "
    "allowed to make refunds; %(moves)s cannot be paid out with Register Payment.":
        "L'argent est redonné à un client avec le bouton « Enregistrer un remboursement » de l'onglet "
        "Dossier client, par un utilisateur autorisé à faire des remboursements; %(moves)s ne peut pas "
        "être payé avec « Enregistrer un paiement ».",
    "Only %(left)s of %(line)s can still be cancelled (%(done)s of %(qty)s already are); lower the quantity.":
        "Seulement %(left)s de %(line)s peut encore être annulé (%(done)s sur %(qty)s le sont déjà); diminuez "
        "la quantité.",
    "Only invoicing users can apply the scheduled payments; they are applied every day by a scheduled action.":
        "Seuls les utilisateurs de la facturation peuvent appliquer les paiements planifiés; ils sont appliqués "
        "chaque jour par une action planifiée.",
    'Only the users of the group "Billing: refunds" can record, cancel or settle refunds. Ask an accounting '
    "manager to do it or to give you that access.":
        "Seuls les utilisateurs du groupe « Facturation : remboursements » peuvent enregistrer, annuler ou "
        "régler des remboursements. Demandez à un gestionnaire de la comptabilité de le faire ou de vous donner "
        "cet accès.",
    "Refund the card payment %(payment)s with the Refund button of the payment: the refund is then recorded "
    "with its note, within what is left to refund, and sent at the day's settlement.":
        "Remboursez le paiement par carte %(payment)s avec le bouton « Remboursement » du paiement : le "
        "remboursement est alors enregistré avec sa note, dans la limite de ce qui reste à rembourser, et envoyé "
        "au règlement du jour.",
    "Refunding money needs the group Billing: refunds. Cancel the items with a credit only (refund amount 0) "
    "or ask a user of that group.":
        "Rembourser de l'argent exige le groupe « Facturation : remboursements ». Annulez les articles avec un "
        "crédit seulement (montant du remboursement 0) ou demandez à un utilisateur de ce groupe.",
    "Select exactly one %(what)s for this operation (%(count)s given).":
        "Sélectionnez un seul enregistrement (%(what)s) pour cette opération (%(count)s sélectionnés).",
    "Some of the taxes given do not exist.": "Certaines des taxes données n'existent pas.",
    "Taxes included must be true or false, not %(value)s.":
        "« Taxes : incluses » doit être vrai ou faux, pas %(value)s.",
    "The amount %(amount)s is more than the amount due on %(invoice)s (%(due)s). Lower the amount; to keep "
    "money in advance, create a credit instead.":
        "Le montant %(amount)s dépasse le montant dû sur %(invoice)s (%(due)s). Diminuez le montant; pour garder "
        "de l'argent d'avance, créez plutôt un crédit.",
    "The amount %(amount)s is more than what is left to pay once the credit on file (%(credit)s) is applied: "
    "%(rest)s. Lower the amount.":
        "Le montant %(amount)s dépasse ce qui reste à payer une fois le crédit au dossier (%(credit)s) "
        "appliqué : %(rest)s. Diminuez le montant.",
    "The billing credit %(credits)s cannot be reversed with the Reverse button. To reverse it, use its "
    "Reverse an erroneous credit button (or Create an invoice on the client's Billing tab, choosing this "
    "credit as the one it reverses).":
        "Le crédit de facturation %(credits)s ne peut pas être extourné avec le bouton « Extourner ». Pour le "
        "renverser, utilisez son bouton « Renverser un crédit erroné » (ou « Créer une facture » dans l'onglet "
        "Dossier client, en choisissant ce crédit comme celui qu'elle renverse).",
    "The billing credit %(credits)s is posted and can never be changed, cancelled or deleted. To reverse it, "
    "create an invoice with the Reverse an erroneous credit button of the credit (or Create an invoice on the "
    "client's Billing tab, choosing this credit as the one it reverses).":
        "Le crédit de facturation %(credits)s est comptabilisé et ne peut jamais être modifié, annulé ni "
        "supprimé. Pour le renverser, créez une facture avec le bouton « Renverser un crédit erroné » du crédit "
        "(ou « Créer une facture » dans l'onglet Dossier client, en choisissant ce crédit comme celui "
        "qu'elle renverse).",
    "The cancellation fee product %(product)s has no income account: set one on the product or its category.":
        "Le produit de frais d'annulation %(product)s n'a pas de compte de revenus : indiquez-en un sur le "
        "produit ou sa catégorie.",
    "The card payment %(payment)s is not confirmed by its provider: it cannot be refunded.":
        "Le paiement par carte %(payment)s n'est pas confirmé par son fournisseur : il ne peut pas être "
        "remboursé.",
    "The credit %(credit)s has nothing left to reverse: it is fully reversed or already applied to invoices.":
        "Le crédit %(credit)s n'a plus rien à renverser : il est entièrement renversé ou déjà appliqué à des "
        "factures.",
    "The credit %(credit)s is in %(currency)s: only a credit in %(company_currency)s can be reversed here.":
        "Le crédit %(credit)s est en %(currency)s : seul un crédit en %(company_currency)s peut être renversé "
        "ici.",
    "The credit %(credit)s is not %(client)s's.": "Le crédit %(credit)s n'appartient pas à %(client)s.",
    "The credit %(credit)s is on the receivable account %(credit_account)s, but %(client)s's invoices now go "
    "to %(account)s: an invoice cannot reverse it. Set the client's Account Receivable (Accounting tab) back "
    "to %(credit_account)s, then try again.":
        "Le crédit %(credit)s est au compte client %(credit_account)s, mais les factures de %(client)s vont "
        "maintenant à %(account)s : une facture ne peut pas le renverser. Remettez le « Compte client » du "
        "client (onglet Comptabilité) à %(credit_account)s, puis réessayez.",
    "The credit note %(notes)s cancels invoice items and cannot be reversed with the Reverse button. To charge "
    "the client again, use the Create an invoice button on the client's Billing tab.":
        "La note de crédit %(notes)s annule des articles de facture et ne peut pas être extournée avec le bouton "
        "« Extourner ». Pour facturer le client de nouveau, utilisez le bouton « Créer une facture » de "
        "l'onglet Dossier client.",
    "The credit note's total (%(total)s) differs from the credit computed (%(credit)s): check the invoice "
    "lines' taxes and try again.":
        "Le total de la note de crédit (%(total)s) diffère du crédit calculé (%(credit)s) : vérifiez les taxes "
        "des lignes de la facture et réessayez.",
    "The credit to reverse must be a posted customer credit note.":
        "Le crédit à renverser doit être une note de crédit client comptabilisée.",
    "%(label)s must be a date (YYYY-MM-DD), not %(value)s.":
        "%(label)s doit être une date (AAAA-MM-JJ), pas %(value)s.",
    "The date of a postdated payment must be a date (YYYY-MM-DD), not %(value)s.":
        "La date d'un paiement postdaté doit être une date (AAAA-MM-JJ), pas %(value)s.",
    "The field %(field)s of a journal item is set only by the Cancel/refund items button of a posted customer "
    "invoice: it cannot be set or changed by hand. To cancel invoice items, open the invoice and click "
    "Cancel/refund items.":
        "Le champ %(field)s d'une écriture comptable est fixé seulement par le bouton « Annuler/rembourser des "
        "articles » d'une facture client comptabilisée : il ne peut pas être saisi ni modifié à la main. Pour "
        "annuler des articles de facture, ouvrez la facture et cliquez sur « Annuler/rembourser des articles ».",
    "The idempotency key %(key)s was already used for this operation on %(client)s with different values. "
    "Use a new key for a new operation; repeat the first call exactly to get its result.":
        "La clé d'idempotence %(key)s a déjà été utilisée pour cette opération sur %(client)s avec d'autres "
        "valeurs. Utilisez une nouvelle clé pour une nouvelle opération; répétez exactement le premier appel "
        "pour obtenir son résultat.",
    "The idempotency key must be a text of at most %(size)s characters (or a number), not %(value)s.":
        "La clé d'idempotence doit être un texte d'au plus %(size)s caractères (ou un nombre), pas %(value)s.",
    "The invoice %(invoice)s already has a posted credit note made with the Reverse button (%(notes)s): its "
    "items cannot also be cancelled with Cancel/refund items. To give the client more back, use the Create a "
    "credit button on the client's Billing tab.":
        "La facture %(invoice)s a déjà une note de crédit comptabilisée faite avec le bouton « Extourner » "
        "(%(notes)s) : ses articles ne peuvent pas aussi être annulés avec « Annuler/rembourser des articles ». "
        "Pour redonner davantage au client, utilisez le bouton « Créer un crédit » de l'onglet Dossier client.",
    "The invoice's total %(total)s (taxes included) is more than what is left open on the credit %(credit)s: "
    "%(left)s. Lower the amount to at most %(left)s, taxes included.":
        "Le total de la facture, %(total)s (taxes incluses), dépasse ce qui reste ouvert sur le crédit "
        "%(credit)s : %(left)s. Diminuez le montant à au plus %(left)s, taxes incluses.",
    "The journal %(journal)s has no offline method to receive payments (cash, cheque, manual card terminal): "
    "choose another payment mode, or add a Manual method in the journal's Incoming Payments tab.":
        "Le journal %(journal)s n'a aucune méthode hors ligne pour recevoir des paiements (comptant, chèque, "
        "terminal de paiement manuel) : choisissez un autre mode de paiement, ou ajoutez une méthode Manuelle "
        "dans l'onglet Paiements entrants du journal.",
    "The journal %(journal)s has no offline outbound payment method: add one (for example Manual) in its "
    "Outgoing Payments tab.":
        "Le journal %(journal)s n'a aucune méthode de paiement sortant hors ligne : ajoutez-en une (par exemple "
        "Manuelle) dans son onglet Paiements sortants.",
    "The journal %(journal)s pays in %(journal_currency)s and the refund is in %(currency)s: choose a journal "
    "in %(currency)s or without a currency.":
        "Le journal %(journal)s paie en %(journal_currency)s et le remboursement est en %(currency)s : "
        "choisissez un journal en %(currency)s ou sans devise.",
    "The journal %(journal)s is in %(journal_currency)s and this is in %(currency)s: choose a journal in "
    "%(currency)s or without a currency.":
        "Le journal %(journal)s est en %(journal_currency)s et cette opération est en %(currency)s : choisissez "
        "un journal en %(currency)s ou sans devise.",
    "The line %(line)s is already cancelled (%(done)s of %(qty)s): it cannot be cancelled twice.":
        "La ligne %(line)s est déjà annulée (%(done)s sur %(qty)s) : elle ne peut pas être annulée deux fois.",
    "The line %(line)s is given twice: give it once with its quantity.":
        "La ligne %(line)s est donnée deux fois : donnez-la une seule fois avec sa quantité.",
    "The payment %(payment)s is in %(payment_currency)s, the invoice in %(currency)s: refund it with the "
    "Refund button of the payment (an amount in %(payment_currency)s), or choose the journal the refund is "
    "paid from to refund %(amount)s here.":
        "Le paiement %(payment)s est en %(payment_currency)s, la facture en %(currency)s : remboursez-le avec le "
        "bouton « Remboursement » du paiement (un montant en %(payment_currency)s), ou choisissez le journal "
        "d'où le remboursement est payé pour rembourser %(amount)s ici.",
    "The payment method %(method)s belongs to the online payment provider %(provider)s: the client pays with "
    "it online, not at the front desk. Choose an offline method: %(methods)s.":
        "La méthode de paiement %(method)s appartient au fournisseur de paiement en ligne %(provider)s : le "
        "client paie avec elle en ligne, pas au comptoir. Choisissez une méthode hors ligne : %(methods)s.",
    "The payment method given does not exist.": "La méthode de paiement donnée n'existe pas.",
    "The payment method must be one of the journal %(journal)s's methods to receive payments: %(methods)s.":
        "La méthode de paiement doit être une des méthodes de réception de paiements du journal %(journal)s : "
        "%(methods)s.",
    "The payment provider of %(payment)s refunds only the full amount (%(amount)s) in one go.":
        "Le fournisseur de paiement de %(payment)s ne rembourse que le montant complet (%(amount)s) en une "
        "seule fois.",
    "The payment to refund must be one of the payments of %(invoice)s.":
        "Le paiement à rembourser doit être un des paiements de %(invoice)s.",
    "The penalty %(penalty)s is larger than what is cancelled (%(base)s, taxes included): the credit cannot "
    "be negative. Lower the penalty.":
        "La pénalité %(penalty)s dépasse ce qui est annulé (%(base)s, taxes incluses) : le crédit ne peut pas "
        "être négatif. Diminuez la pénalité.",
    "The penalty cannot be negative.": "La pénalité ne peut pas être négative.",
    "The penalty type must be none, amount or percent, not %(value)s.":
        "Le type de pénalité doit être none, amount ou percent (aucune, montant ou pourcentage), pas "
        "%(value)s.",
    "The quantity to cancel of %(line)s (%(qty)s) has more decimals than its unit of measure %(uom)s allows "
    "(steps of %(rounding)s): round it.":
        "La quantité à annuler de %(line)s (%(qty)s) a plus de décimales que son unité de mesure %(uom)s ne le "
        "permet (par pas de %(rounding)s) : arrondissez-la.",
    "The quantity to cancel of %(line)s must be greater than 0.":
        "La quantité à annuler de %(line)s doit être supérieure à 0.",
    "The refund %(amount)s is more than what is left to refund on %(invoice)s: %(paid)s was paid on it and "
    "%(refunded)s already refunded with Cancel/refund items, so %(left)s at most. Lower the refund; to give "
    "back more, use Record a refund on the client's Billing tab.":
        "Le remboursement de %(amount)s dépasse ce qui reste à rembourser sur %(invoice)s : %(paid)s y a été "
        "payé et %(refunded)s déjà remboursé avec « Annuler/rembourser des articles », donc %(left)s au plus. "
        "Diminuez le remboursement; pour redonner davantage, utilisez « Enregistrer un remboursement » dans "
        "l'onglet Dossier client.",
    "The refund %(amount)s is more than what was paid on %(invoice)s (%(paid)s). Lower the refund; to give "
    "back more, use Record a refund on the client's Billing tab.":
        "Le remboursement de %(amount)s dépasse ce qui a été payé sur %(invoice)s (%(paid)s). Diminuez le "
        "remboursement; pour redonner davantage, utilisez « Enregistrer un remboursement » dans l'onglet "
        "Dossier client.",
    "The refund %(refund)s cannot be changed (%(field)s): its payment, amount, currency, client and state are "
    "fixed when it is made. To undo it, use its Cancel refund button while it is pending settlement; once "
    "settled, create an invoice for the client with its Create an invoice button.":
        "Le remboursement %(refund)s ne peut pas être modifié (%(field)s) : son paiement, son montant, sa "
        "devise, son client et son état sont fixés à sa création. Pour l'annuler, utilisez son bouton « Annuler "
        "le remboursement » tant qu'il est en attente de règlement; une fois réglé, créez une facture pour le "
        "client avec son bouton « Créer une facture ».",
    "The refund %(refund)s cannot be changed (%(field)s): its payment, amount, currency, client and state are "
    "fixed when it is made. To undo it, use its Cancel refund button; for another amount, cancel it and make "
    "a new refund.":
        "Le remboursement %(refund)s ne peut pas être modifié (%(field)s) : son paiement, son montant, sa "
        "devise, son client et son état sont fixés à sa création. Pour l'annuler, utilisez son bouton « Annuler "
        "le remboursement »; pour un autre montant, annulez-le et faites un nouveau remboursement.",
    "The refund %(refund)s has been settled (or its day's settlement cut-off has passed): it can no longer be "
    "cancelled. To take the %(amount)s back, create an invoice for the client with the Create an invoice "
    "button (on the refund, or in the Operations menu of the client's Billing tab) for this amount.":
        "Le remboursement %(refund)s a été réglé (ou l'heure limite de règlement de sa journée est passée) : il "
        "ne peut plus être annulé. Pour reprendre les %(amount)s, créez une facture pour le client de ce "
        "montant avec le bouton « Créer une facture » (sur le remboursement, ou dans le menu Opérations de "
        "l'onglet Dossier client).",
    "The refund %(refund)s is already cancelled.": "Le remboursement %(refund)s est déjà annulé.",
    "The refund %(refund)s is being settled or cancelled right now. Try again in a moment.":
        "Le remboursement %(refund)s est en cours de règlement ou d'annulation. Réessayez dans un instant.",
    "The refund %(refunds)s cannot be deleted: use its Cancel refund button while it is pending settlement.":
        "Le remboursement %(refunds)s ne peut pas être supprimé : utilisez son bouton « Annuler le "
        "remboursement » tant qu'il est en attente de règlement.",
    "The refund %(refunds)s is pending settlement: undo it with its Cancel refund button, which frees the "
    "credit or the payment it used.":
        "Le remboursement %(refunds)s est en attente de règlement : annulez-le avec son bouton « Annuler le "
        "remboursement », qui libère le crédit ou le paiement qu'il a utilisé.",
    "The refund %(refunds)s is settled: the money has left, so it cannot be reset or cancelled. To take the "
    "amount back, create an invoice for the client with the Create an invoice button of the refund.":
        "Le remboursement %(refunds)s est réglé : l'argent est sorti, il ne peut donc pas être remis en "
        "brouillon ni annulé. Pour reprendre le montant, créez une facture pour le client avec le bouton "
        "« Créer une facture » du remboursement.",
    "The refund could not be booked: check the accounts of the journal %(journal)s.":
        "Le remboursement n'a pas pu être comptabilisé : vérifiez les comptes du journal %(journal)s.",
    "The refund is settled and can no longer be cancelled.": "Le remboursement est réglé et ne peut plus être "
                                                             "annulé.",
    "The refund settlement cut-off is a time of day, between 00:00 and 23:59.":
        "L'heure limite de règlement des remboursements est une heure de la journée, entre 00:00 et 23:59.",
    "The scheduled payment %(payment)s cannot be changed (%(field)s): cancel it with its Cancel the scheduled "
    "payment button and make the payment again with the Make a payment button of the invoice.":
        "Le paiement planifié %(payment)s ne peut pas être modifié (%(field)s) : annulez-le avec son bouton "
        "« Annuler le paiement planifié » et refaites le paiement avec le bouton « Effectuer un paiement » de "
        "la facture.",
    "The scheduled payments of %(invoice)s already cover what is left to pay: the credit on file stays on "
    "file. Untick Use the credit on file, or cancel a scheduled payment first.":
        "Les paiements planifiés de %(invoice)s couvrent déjà ce qui reste à payer : le crédit au dossier reste "
        "au dossier. Décochez « Utiliser le crédit au dossier », ou annulez d'abord un paiement planifié.",
    "The taxes must be given as a list of tax ids (numbers), not %(value)s.":
        "Les taxes doivent être données sous forme de liste d'identifiants de taxes (des nombres), pas "
        "%(value)s.",
    "This idempotency key was already used for this operation.":
        "Cette clé d'idempotence a déjà été utilisée pour cette opération.",
    "Tick at least one invoice line to cancel.": "Cochez au moins une ligne de facture à annuler.",
    "Tick at least one item to cancel.": "Cochez au moins un article à annuler.",
    "Use the credit on file must be true or false, not %(value)s.":
        "« Utiliser le crédit au dossier » doit être vrai ou faux, pas %(value)s.",
    "With these taxes, %(amount)s cannot be booked to the cent: its tax rounds differently on the invoice. "
    "Change the amount by a cent, or untick Taxes included and enter the untaxed amount.":
        "Avec ces taxes, %(amount)s ne peut pas être comptabilisé au cent près : sa taxe s'arrondit autrement "
        "sur la facture. Changez le montant d'un cent, ou décochez « Taxes : incluses » et saisissez le montant "
        "hors taxes.",
}

# Client statement of account (wizard, report, email), client portal, and the Settings block.
STATEMENT_PORTAL_SETTINGS = {
    # Statement wizard and the client form.
    "<span>to</span>": "<span>au</span>",
    "A statement is emailed to one client at a time: select one client, or print the statements of the "
    "%(count)s clients selected.":
        "Un relevé est envoyé par courriel à un seul client à la fois : sélectionnez un seul client, ou imprimez "
        "les relevés des %(count)s clients sélectionnés.",
    "Client statement": "Relevé de compte du client",
    "Client statement for a period": "Relevé de compte du client pour une période",
    "Empty: from the client's first document.": "Vide : à partir du premier document du client.",
    "Empty: up to the last document.": "Vide : jusqu'au dernier document.",
    "From": "Du",
    "The statement's From date": "La date « Du » du relevé",
    "The statement's To date": "La date « Au » du relevé",
    "The default refund journal": "Le journal de remboursement par défaut",
    "From the first document": "Depuis le premier document",
    "Leave both dates empty for the whole history. The opening balance is the\n"
    "                    balance just before the first day of the period.":
        "Laissez les deux dates vides pour tout l'historique. Le solde d'ouverture est le\n"
        "                    solde juste avant le premier jour de la période.",
    "Partner Count": "Nombre de clients",
    "Period": "Période",
    "Print": "Imprimer",
    "Send by email": "Envoyer par courriel",
    "Send the statement": "Envoyer le relevé",
    "Statement": "Relevé",
    "The statement's From date (%(start)s) is after its To date (%(end)s): swap them or clear one.":
        "La date « Du » du relevé (%(start)s) est après sa date « Au » (%(end)s) : inversez-les ou effacez-en "
        "une.",
    "To": "Au",
    "Up to the last document": "Jusqu'au dernier document",
    # Statement report.
    "'Statement - %s' % (object.commercial_partner_id.name or '')":
        "'Relevé - %s' % (object.commercial_partner_id.name or '')",
    "<strong>Client:</strong>": "<strong>Client :</strong>",
    "<strong>Closing balance</strong>": "<strong>Solde de clôture</strong>",
    "<strong>Period:</strong>": "<strong>Période :</strong>",
    "<strong>Printed on:</strong>": "<strong>Imprimé le :</strong>",
    'A balance marked "Credit" is owed to you; any other balance is what you owe.':
        "Un solde marqué « Créditeur » vous est dû; tout autre solde est ce que vous devez.",
    "All documents": "Tous les documents",
    "Closing balance": "Solde de clôture",
    "No document in this period.": "Aucun document dans cette période.",
    "Opening balance": "Solde d'ouverture",
    "Scheduled payments (postdated, not yet applied)": "Paiements planifiés (postdatés, pas encore appliqués)",
    "Statement of account": "Relevé de compte",
    "Status": "Statut",
    "Until": "Jusqu'au",
    # Statement email.
    "Billing: client statement": "Facturation : relevé de compte du client",
    "Sent to a client with the client statement attached":
        "Envoyé à un client avec son relevé de compte en pièce jointe",
    "{{ user.company_id.name }}: your statement of account": "{{ user.company_id.name }} : votre relevé de compte",
    '<div style="margin: 0px; padding: 0px;">\n'
    '    <p style="margin: 0px; padding: 0px; font-size: 13px;">\n'
    "        Dear <t t-out=\"object.name or ''\">Client</t>,\n"
    "        <br/><br/>\n"
    "        Please find attached your statement of account: your documents, payments and refunds with the\n"
    "        balance after each of them, your available credit and your scheduled payments.\n"
    "        <br/><br/>\n"
    "        Do not hesitate to contact us if you have any questions.\n"
    "        <br/><br/>\n"
    "        <t t-out=\"user.company_id.name or ''\">Your company</t>\n"
    "    </p>\n"
    "</div>\n"
    "        ":
        '<div style="margin: 0px; padding: 0px;">\n'
        '    <p style="margin: 0px; padding: 0px; font-size: 13px;">\n'
        "        Bonjour <t t-out=\"object.name or ''\">Client</t>,\n"
        "        <br/><br/>\n"
        "        Vous trouverez ci-joint votre relevé de compte : vos documents, paiements et remboursements avec le\n"
        "        solde après chacun d'eux, votre crédit disponible et vos paiements planifiés.\n"
        "        <br/><br/>\n"
        "        N'hésitez pas à communiquer avec nous si vous avez des questions.\n"
        "        <br/><br/>\n"
        "        <t t-out=\"user.company_id.name or ''\">Votre société</t>\n"
        "    </p>\n"
        "</div>\n"
        "        ",
    # Client portal.
    ". Your documents, payments and statement.": ". Vos documents, vos paiements et votre relevé.",
    '<i class="fa fa-download"/> Download the statement': '<i class="fa fa-download"/> Télécharger le relevé',
    "Balance:": "Solde :",
    "Statement %(client)s": "Relevé %(client)s",
    "There is no billing document on your account yet.": "Il n'y a encore aucun document de facturation à votre "
                                                         "compte.",
    "Your account": "Votre compte",
    # Settings > Invoicing, section Billing operations.
    "Cancellation fee taxes": "Taxes des frais d'annulation",
    "Credit product": "Produit des crédits",
    "Credit taxes": "Taxes des crédits",
    "Default refund journal": "Journal de remboursement par défaut",
    "Its taxes": "Ses taxes",
    "The bank or cash journal proposed for the refunds of a client's credit (Record a refund) and for the "
    "refunds of Cancel/refund items made without a payment. Empty: the first bank, then cash, journal with an "
    "offline outgoing payment method.":
        "Le journal de banque ou de caisse proposé pour les remboursements du crédit d'un client (Enregistrer un "
        "remboursement) et pour les remboursements de « Annuler/rembourser des articles » faits sans paiement. "
        "Vide : le premier journal de banque, sinon de caisse, ayant une méthode de paiement sortant hors ligne.",
    "The company's address": "L'adresse de la société",
    "The default refund journal %(journal)s must be a bank or cash journal with an offline outgoing payment "
    "method (for example Manual, in its Outgoing Payments tab).":
        "Le journal de remboursement par défaut %(journal)s doit être un journal de banque ou de caisse ayant une "
        "méthode de paiement sortant hors ligne (par exemple Manuelle, dans son onglet Paiements sortants).",
    "The sales taxes a penalty of Cancel/refund items keeps in this company (carved out of it).":
        "Les taxes de vente que garde une pénalité de « Annuler/rembourser des articles » dans cette société "
        "(extraites de son montant).",
    "The sales taxes the credit product proposes in this company (Create a credit, Create an invoice).":
        "Les taxes de vente que propose le produit des crédits dans cette société (Créer un crédit, Créer une "
        "facture).",
    "Time zone applied": "Fuseau horaire appliqué",
}

TERMS = {**LABELS, **HELPS, **ARGUMENTS, **AUDIT, **ERRORS, **STATEMENT_PORTAL_SETTINGS, **SPEC_8}
