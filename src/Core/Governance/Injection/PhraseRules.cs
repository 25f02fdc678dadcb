using System.Text.RegularExpressions;

namespace Warden.Core.Governance.Injection;

internal sealed record PhraseRule(string Signal, Regex Pattern, InjectionWeights Weights);

/// <summary>
/// Phrase rules, read on <see cref="NormalizedText"/> (lower case, invisibles dropped, homoglyphs folded).
/// NonBacktracking throughout: matching is linear in the text whatever it contains.
/// </summary>
internal static partial class PhraseRules
{
    private const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant | RegexOptions.Multiline;

    /// <summary>The rule table: weights for (user input, tool or retrieved content).</summary>
    public static IReadOnlyList<PhraseRule> All { get; } =
    [
        new(InjectionSignals.InstructionOverride, OverridePrevious(), new(0.75, 0.9)),
        new(InjectionSignals.InstructionOverride, OverrideAll(), new(0.7, 0.9)),
        new(InjectionSignals.InstructionOverride, OverrideThe(), new(0.35, 0.7)),
        new(InjectionSignals.InstructionOverride, ForgetConversation(), new(0.2, 0.7)),
        new(InjectionSignals.InstructionOverride, NewInstructions(), new(0.4, 0.75)),
        new(InjectionSignals.InstructionOverride, FromNowOn(), new(0.3, 0.7)),
        new(InjectionSignals.RoleOverride, RoleJailbreak(), new(0.7, 0.9)),
        new(InjectionSignals.RoleOverride, ActAsPrivileged(), new(0.55, 0.85)),
        new(InjectionSignals.RoleOverride, PretendUnrestricted(), new(0.6, 0.85)),
        new(InjectionSignals.RoleOverride, RolePlay(), new(0.15, 0.55)),
        new(InjectionSignals.FakeTurn, ChatTemplateToken(), new(0.7, 0.9)),
        new(InjectionSignals.FakeTurn, RoleLine(), new(0.45, 0.8)),
        new(InjectionSignals.FakeTurn, RoleTag(), new(0.15, 0.7)),
        new(InjectionSignals.Exfiltration, ExfiltrateToDestination(), new(0.45, 0.9)),
        new(InjectionSignals.Exfiltration, ExfiltrateSecrets(), new(0.25, 0.6)),
        new(InjectionSignals.MarkdownBeacon, MarkdownImageWithQuery(), new(0.5, 0.85)),
        new(InjectionSignals.MarkdownBeacon, HtmlImageWithQuery(), new(0.4, 0.8)),
        new(InjectionSignals.PromptLeak, RevealPrompt(), new(0.55, 0.75)),
        new(InjectionSignals.Concealment, Conceal(), new(0.4, 0.8)),
        new(InjectionSignals.AddressedToModel, AddressModel(), new(0.2, 0.6)),
    ];

    /// <summary>Words that make hidden markup or an encoded blob read as instructions to a model.</summary>
    [GeneratedRegex(@"\b(?:ignore|disregard|instructions?|assistant|ai|llm|language model|system prompt|prompt|you must|do not tell|override)\b", Options)]
    public static partial Regex InstructionCue();

    public static void Find(NormalizedText text, ContentSource source, List<InjectionSignal> into)
    {
        foreach (var rule in All)
        {
            foreach (var match in rule.Pattern.EnumerateMatches(text.Value))
            {
                var (start, length) = text.Span(match.Index, match.Length);
                into.Add(new InjectionSignal(rule.Signal, start, length, rule.Weights.For(source)));
            }
        }
    }

    private const string Quantifiers = @"(?:(?:all|any|every|each|the|your|my|of|these|those|its|their|prior)\s+)*";
    private const string Directions = @"(?:instructions?|prompts?|rules|directions|directives|guidelines|guidance|constraints|programming|commands|orders|policies|system\s+prompt)";

    [GeneratedRegex(@"\b(?:ignore|disregard|forget|override|bypass|skip|abandon)\s+" + Quantifiers + @"(?:previous|prior|above|earlier|preceding|foregoing|former|original|initial|old|existing|system|developer|hidden)\s+" + Directions + @"\b", Options)]
    private static partial Regex OverridePrevious();

    [GeneratedRegex(@"\b(?:ignore|disregard|forget|override|bypass)\s+(?:all\s+(?:of\s+)?(?:your\s+|the\s+|my\s+|these\s+)?|your\s+|any\s+)(?:instructions?|prompts?|rules|guidelines|guardrails|restrictions|programming|training|filters|policies|safety\s+(?:rules|guidelines|filters|settings))\b", Options)]
    private static partial Regex OverrideAll();

    [GeneratedRegex(@"\b(?:ignore|disregard)\s+(?:the|these|those)\s+(?:instructions?|rules|guidelines)\b", Options)]
    private static partial Regex OverrideThe();

    /// <summary>A person may reset their own conversation; content may not.</summary>
    [GeneratedRegex(@"\b(?:ignore|disregard|forget)\s+" + Quantifiers + @"(?:previous|prior|above|earlier|preceding)\s+(?:context|messages|conversation)\b", Options)]
    private static partial Regex ForgetConversation();

    [GeneratedRegex(@"\b(?:new|updated|revised|real|actual|true)\s+(?:instructions|system\s+prompt|directives?|objective)\s*:|\byour\s+(?:new|real|actual|true)\s+(?:instructions|task|goal|objective|purpose|role)\s+(?:is|are)\b", Options)]
    private static partial Regex NewInstructions();

    [GeneratedRegex(@"\bfrom\s+now\s+on\s*,?\s+(?:you|ignore|always|never|only|respond|reply|answer|output|speak|write|do\s+not)\b", Options)]
    private static partial Regex FromNowOn();

    [GeneratedRegex(@"\byou\s+are\s+now\s+(?:a\s+|an\s+|the\s+|in\s+)?(?:dan|stan|dude|evil|unrestricted|unfiltered|uncensored|jailbroken|rogue|root|admin|administrator|system|developer\s+mode|god\s+mode)\b|\b(?:do\s+anything\s+now|dan\s+mode|(?:developer|jailbreak|god)\s+mode\s+(?:enabled|on|activated))\b", Options)]
    private static partial Regex RoleJailbreak();

    [GeneratedRegex(@"\b(?:act|behave|respond|operate|function)\s+as\s+(?:if\s+you\s+(?:are|were)\s+)?(?:the\s+|a\s+|an\s+)?(?:system|root|superuser|unrestricted|unfiltered|uncensored|jailbroken|evil)\b", Options)]
    private static partial Regex ActAsPrivileged();

    [GeneratedRegex(@"\bpretend\s+(?:that\s+)?(?:you\s+are|you're|to\s+be)\s+(?:an?\s+)?(?:unrestricted|unfiltered|uncensored|evil|jailbroken|dan|(?:ai|model|assistant)\s+(?:without|with\s+no)\s+(?:rules|restrictions|filters|limits))\b", Options)]
    private static partial Regex PretendUnrestricted();

    [GeneratedRegex(@"\byou\s+are\s+now\s+(?:a|an|the|my|playing|acting)\b|\bfrom\s+now\s+on\s+you\s+are\b|\b(?:pretend|imagine)\s+(?:that\s+)?(?:you\s+are|you're)\b|\b(?:roleplay|role-play)\s+as\b|\bact\s+as\s+(?:a|an|the|my|if)\b", Options)]
    private static partial Regex RolePlay();

    [GeneratedRegex(@"<\|(?:im_start|im_end|system|assistant|user|endoftext|start_header_id|end_header_id|eot_id)\|>|\[/?inst\]|<</?sys>>", Options)]
    private static partial Regex ChatTemplateToken();

    /// <summary>A line that opens like a system or assistant turn and goes on to address the model.</summary>
    [GeneratedRegex(@"^[ \t>*#_-]*(?:system|assistant|developer)[ \t]*:[^\n]*\b(?:you|your|ignore|must|always|never|instructions?|sure|okay|here\s+is|i\s+will|new\s+rules?)\b", Options)]
    private static partial Regex RoleLine();

    [GeneratedRegex(@"</?(?:system|system_prompt|instructions|admin)>|\[(?:system|admin|developer)(?:\s+(?:message|note|override|instructions?))?\]", Options)]
    private static partial Regex RoleTag();

    private const string Sends = @"\b(?:send|post|upload|forward|e-?mail|transmit|exfiltrate|leak|submit|append|encode)\b";
    private const string Valuables = @"\b(?:secrets?|api[\s_-]*keys?|keys|passwords?|credentials?|tokens?|conversation|chat\s+history|message\s+history|system\s+prompt|previous\s+messages|environment\s+variables|env\s+vars?|private\s+keys?|session\s+cookies?|cookies|personal\s+data|user\s+data)\b";

    [GeneratedRegex(Sends + @"[^\n]{0,60}" + Valuables + @"[^\n]{0,80}(?:https?://|www\.|[a-z0-9._%+-]+@[a-z0-9-]+\.[a-z]{2,}|\bwebhook\b|\bendpoint\b|\bthis\s+(?:url|address|server|link)\b)", Options)]
    private static partial Regex ExfiltrateToDestination();

    [GeneratedRegex(@"\b(?:exfiltrate|leak|upload|send|forward)\b[^\n]{0,40}\b(?:secrets?|api[\s_-]*keys?|passwords?|credentials?|private\s+keys?|system\s+prompt|chat\s+history|environment\s+variables)\b", Options)]
    private static partial Regex ExfiltrateSecrets();

    /// <summary>A query value long enough to carry data, or a template slot to fill in; not a cache-buster like <c>?v=3</c>.</summary>
    private const string QueryData = @"(?:[^)\s&""'>]{8,}|[^)\s&""'>]*[{\[<$])";

    /// <summary>An image whose URL carries query data: rendering it sends that data to the URL's owner.</summary>
    [GeneratedRegex(@"!\[[^\]\n]{0,200}\]\(\s*<?https?://[^)\s]*\?[^)\s]*=" + QueryData, Options)]
    private static partial Regex MarkdownImageWithQuery();

    [GeneratedRegex(@"<img\b[^>]{0,300}\bsrc\s*=\s*[""']?https?://[^""'\s>]*\?[^""'\s>]*=" + QueryData, Options)]
    private static partial Regex HtmlImageWithQuery();

    [GeneratedRegex(@"\b(?:reveal|print|show|repeat|output|display|dump|leak|tell|give|recite|write\s+out)\s+(?:me\s+|us\s+)?(?:all\s+)?(?:of\s+)?(?:your|the)\s+(?:(?:full|entire|exact|original|hidden|initial|secret|complete|verbatim)\s+)*(?:system\s+prompt|system\s+message|initial\s+prompt|hidden\s+prompt|pre-?prompt|(?:hidden|initial|original)\s+instructions|instructions\s+(?:above|you\s+were\s+given)|(?:words|text)\s+above)\b", Options)]
    private static partial Regex RevealPrompt();

    [GeneratedRegex(@"\b(?:do\s+not|don't|never)\s+(?:tell|inform|mention|reveal|show|disclose|alert|notify)\s+(?:(?:this|it|anything)\s+(?:to\s+)?)?(?:the\s+)?(?:user|human|operator|reviewer)\b|\bwithout\s+(?:telling|informing|notifying|alerting|asking)\s+the\s+(?:user|human|operator|reviewer)\b|\b(?:secretly|silently|covertly|quietly)\s+(?:send|post|upload|forward|insert|append|execute|call|delete|transfer)\b", Options)]
    private static partial Regex Conceal();

    [GeneratedRegex(@"\b(?:note|message|instructions?|attention|important)\s+(?:to|for)\s+(?:the\s+|any\s+|all\s+)?(?:ai|assistant|llm|language\s+model|model|agent|chatbot|bot|gpt|claude)s?\b|\bif\s+you\s+are\s+(?:an?\s+)?(?:ai|llm|large\s+language\s+model|language\s+model|assistant|agent|chatbot|gpt|claude)\b|\b(?:ai|assistant|agent|llm)s?\s*[:,]\s*(?:please\s+)?(?:you\s+must|ignore|do\s+not|immediately)\b", Options)]
    private static partial Regex AddressModel();
}
