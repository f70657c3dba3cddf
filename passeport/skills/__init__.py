"""Skills and Open Badges: evaluation grids (technical, behavioural, transversal and
digital skills on DigComp 2.2), evaluations by the référent, an employer or the person
with evidence, and Open Badges 3.0 credentials signed by each organisation (Data
Integrity `eddsa-rdfc-2022`), revocable through a Bitstring Status List, verifiable by
anyone, kept in the person's wallet."""
