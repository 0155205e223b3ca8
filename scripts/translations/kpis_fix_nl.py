"""Dutch translations of the fixes to the KPI app after its acceptance review (issue 5): effect
windows held to the action, effects that cannot be measured, decisions on recurring feedback, the
roll-up of objectives and smaller rules. ``scripts/po_fill.py`` fills them into locale/nl after
``manage.py makemessages -l nl``."""

T = {
    # periods: the codes are translated like the help texts ("JJJJ-MM, of JJJJ-Qn ...")
    "YYYY-MM": "JJJJ-MM",
    "YYYY-Qn": "JJJJ-Qn",
    # KPI norms, by direction
    "The value aimed for: at or above the threshold for good when higher is better; for a lower-is-better KPI, "
    "at or below it.": (
        "De waarde waar u naar streeft: op of boven de drempel voor goed als hoger beter is; bij een KPI waarvoor "
        "lager beter is, op of onder die drempel."
    ),
    "From this value on, a measurement is green: at or above it when higher is better; for a lower-is-better "
    "KPI, green means at or below this value.": (
        "Vanaf deze waarde is een meting groen: op of boven deze waarde als hoger beter is; bij een KPI waarvoor "
        "lager beter is, betekent groen op of onder deze waarde."
    ),
    "From this value on, a measurement is at least amber: at or above it when higher is better; for a "
    "lower-is-better KPI, at or below this value. Past it, a measurement is red.": (
        "Vanaf deze waarde is een meting ten minste oranje: op of boven deze waarde als hoger beter is; bij een KPI "
        "waarvoor lager beter is, op of onder deze waarde. Daarbuiten is een meting rood."
    ),
    # measurements
    "%(period)s has a measurement already (%(value)s). To change it, correct it with a reason: the history "
    "keeps both values.": (
        "%(period)s heeft al een meting (%(value)s). Wilt u die wijzigen, corrigeer haar dan met een reden: de "
        "geschiedenis bewaart beide waarden."
    ),
    "Correct the measurement of %(period)s": "De meting van %(period)s corrigeren",
    "No measurement": "Geen meting",
    # effects: the windows against the action
    "Before the period in which the action started.": "Vóór de periode waarin de actie begon.",
    "The period in which the action is due or was completed, or later.": (
        "De periode waarin de actie klaar moet zijn of is afgerond, of later."
    ),
    "The baseline window measures the situation before the action: it must end before %(period)s, the period "
    "in which the action started (%(date)s).": (
        "De periode van de nulmeting meet de situatie vóór de actie: ze moet eindigen vóór %(period)s, de periode "
        "waarin de actie begon (%(date)s)."
    ),
    "The evaluation window measures the situation after the action: it must start in %(period)s, the period in "
    "which the action is due or was completed (%(date)s), or later.": (
        "De evaluatieperiode meet de situatie na de actie: ze moet beginnen in %(period)s, de periode waarin de "
        "actie klaar moet zijn of is afgerond (%(date)s), of later."
    ),
    "The windows no longer fit the action, whose dates changed: the effect is not measured until they are put right.": (
        "De perioden passen niet meer bij de actie, waarvan de data zijn gewijzigd: het effect wordt pas gemeten als "
        "ze zijn aangepast."
    ),
    "(before the action, which started on %(date)s)": "(vóór de actie, die begon op %(date)s)",
    "(after the action, completed on %(date)s)": "(na de actie, afgerond op %(date)s)",
    "(after the action, due on %(date)s)": "(na de actie, die klaar moet zijn op %(date)s)",
    # effects that cannot be measured
    "Cannot be measured": "Niet te meten",
    "%(kpi)s has no measurements in the baseline window (%(baseline)s).": (
        "%(kpi)s heeft geen metingen in de periode van de nulmeting (%(baseline)s)."
    ),
    "%(kpi)s has no measurements in the evaluation window (%(evaluation)s).": (
        "%(kpi)s heeft geen metingen in de evaluatieperiode (%(evaluation)s)."
    ),
    "%(kpi)s has no measurements in the baseline window (%(baseline)s) nor in the evaluation window "
    "(%(evaluation)s).": (
        "%(kpi)s heeft geen metingen in de periode van de nulmeting (%(baseline)s) en ook niet in de "
        "evaluatieperiode (%(evaluation)s)."
    ),
    "Cannot be measured: no measurements in the baseline window": (
        "Niet te meten: geen metingen in de periode van de nulmeting"
    ),
    "Cannot be measured: no measurements in the evaluation window": (
        "Niet te meten: geen metingen in de evaluatieperiode"
    ),
    "Cannot be measured: no measurements in either window": "Niet te meten: geen metingen in beide perioden",
    "Effect cannot be measured: %(action)s": "Effect niet te meten: %(action)s",
    "Explain why the effect could not be measured.": "Licht toe waarom het effect niet te meten was.",
    "Without measurements before and after the action, nobody can tell whether it worked.": (
        "Zonder metingen vóór en na de actie kan niemand zeggen of ze heeft gewerkt."
    ),
    "Not measured yet: the evaluation window is over and the effect is measured as soon as its measurements "
    "are in, on %(date)s at the latest. A window without any measurement then means the effect cannot be "
    "measured.": (
        "Nog niet gemeten: de evaluatieperiode is voorbij en het effect wordt gemeten zodra de metingen binnen "
        "zijn, uiterlijk op %(date)s. Een periode zonder enige meting betekent dan dat het effect niet te meten is."
    ),
    "%(kpi)s has no measurements in the baseline window (%(baseline)s) yet: without them, the effect cannot be "
    "measured. Enter them on the KPI's page.": (
        "%(kpi)s heeft nog geen metingen in de periode van de nulmeting (%(baseline)s): zonder die metingen is het "
        "effect niet te meten. Voer ze in op de pagina van de KPI."
    ),
    "%(kpi)s has no measurements in the baseline window yet: without them, the effect cannot be measured. "
    "Enter them on the KPI's page.": (
        "%(kpi)s heeft nog geen metingen in de periode van de nulmeting: zonder die metingen is het effect niet te "
        "meten. Voer ze in op de pagina van de KPI."
    ),
    # effects: the confirmation
    "Only the owner of the action, or a quality officer on their behalf, confirms its effect.": (
        "Alleen de eigenaar van de actie, of een kwaliteitsfunctionaris namens de eigenaar, bevestigt het effect."
    ),
    "The verdict was confirmed already, by %(person)s on %(date)s.": (
        "Het oordeel is al bevestigd, door %(person)s op %(date)s."
    ),
    "someone no longer here": "iemand die hier niet meer is",
    "Confirmed on behalf of %(owner)s": "Bevestigd namens %(owner)s",
    "Confirmed by %(person)s on behalf of %(owner)s on %(date)s:": (
        "Bevestigd door %(person)s namens %(owner)s op %(date)s:"
    ),
    # effects: the action's own page
    "%(kpi)s: a change of %(change)s %(unit)s": "%(kpi)s: een verandering van %(change)s %(unit)s",
    "%(kpi)s: back into green": "%(kpi)s: terug in het groen",
    "Before: %(baseline_from)s – %(baseline_to)s; after: %(evaluation_from)s – %(evaluation_to)s": (
        "Vóór: %(baseline_from)s – %(baseline_to)s; na: %(evaluation_from)s – %(evaluation_to)s"
    ),
    "The effect in detail": "Het effect in detail",
    "Say which KPI this action should move and by how much: after the action, the effect is measured from "
    "the KPI's measurements.": (
        "Geef aan welke KPI deze actie moet verbeteren en met hoeveel: na de actie wordt het effect gemeten aan de "
        "metingen van de KPI."
    ),
    "State the intended effect": "Beoogd effect vastleggen",
    "No intended effect stated.": "Geen beoogd effect vastgelegd.",
    # recurring feedback: decisions
    "reason for the decision": "reden van het besluit",
    "Required to dismiss a proposal.": "Verplicht om een voorstel te verwerpen.",
    "Required to dismiss: why this is not a non-conformity. Kept in the history.": (
        "Verplicht om te verwerpen: waarom dit geen afwijking is. Wordt bewaard in de geschiedenis."
    ),
    "Only a quality officer of %(unit)s decides on this escalation.": (
        "Alleen een kwaliteitsfunctionaris van %(unit)s besluit over deze escalatie."
    ),
    "This escalation is %(current)s: it cannot become %(new)s.": (
        "Deze escalatie is %(current)s: ze kan niet %(new)s worden."
    ),
    "Say why the escalation is dismissed.": "Geef aan waarom de escalatie wordt verworpen.",
    "Decision recorded.": "Besluit vastgelegd.",
    "escalated (to a non-conformity) or dismissed.": "escalated (naar een afwijking) of dismissed (verworpen).",
    "Why: required to dismiss.": "Waarom: verplicht om te verwerpen.",
    "Proposed on": "Voorgesteld op",
    "Why": "Waarom",
    "Flagged feedback in this escalation": "Gemarkeerde feedback in deze escalatie",
    "%(status)s by %(person)s on %(date)s.": "%(status)s door %(person)s op %(date)s.",
    "Escalate this recurring problem to a non-conformity, or dismiss the proposal with the reason. A later "
    "episode of the same problem is proposed again.": (
        "Escaleer dit terugkerende probleem naar een afwijking, of verwerp het voorstel met de reden. Komt "
        "hetzelfde probleem later opnieuw voor, dan volgt een nieuw voorstel."
    ),
    "Escalate to a non-conformity": "Escaleren naar een afwijking",
    "Dismiss": "Verwerpen",
    "Waiting for a quality officer's decision.": "Wacht op het besluit van een kwaliteitsfunctionaris.",
    "its feedback": "de feedback ervan",
    # objectives
    "The deadline cannot be in the past.": "De deadline kan niet in het verleden liggen.",
    "from sub-objectives": "uit de subdoelstellingen",
    "Progress (mean of the sub-objectives: no key results of its own)": (
        "Voortgang (gemiddelde van de subdoelstellingen: geen eigen kernresultaten)"
    ),
    "The weighted mean of the key results' progress, 0 to 100 (%); without key results of its own, the mean "
    "of its sub-objectives' progress.": (
        "Het gewogen gemiddelde van de voortgang van de kernresultaten, 0 tot en met 100 (%); zonder eigen "
        "kernresultaten het gemiddelde van de voortgang van de subdoelstellingen."
    ),
    # removing a key result
    "Remove the key result %(key_result)s?": "Het kernresultaat %(key_result)s verwijderen?",
    "Yes, remove this key result": "Ja, dit kernresultaat verwijderen",
    "The objective's progress is computed without it from now on; the history keeps it.": (
        "De voortgang van de doelstelling wordt voortaan zonder dit kernresultaat berekend; de geschiedenis bewaart "
        "het."
    ),
    "From baseline to target": "Van nulmeting naar doelwaarde",
}

PLURALS = {}
