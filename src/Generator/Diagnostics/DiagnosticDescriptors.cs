using Microsoft.CodeAnalysis;

namespace RoslynPgSync.Generator.Diagnostics;

/// <summary>Every diagnostic RoslynPgSync reports; each id has a page in docs/diagnostics.</summary>
internal static class DiagnosticDescriptors
{
    private const string Model = "RoslynPgSync.Model";
    private const string Replicate = "RoslynPgSync.Replicate";

    public static readonly DiagnosticDescriptor NoPrimaryKey = Error(
        DiagnosticIds.NoPrimaryKey, Model, "A replicated table needs a primary key",
        "'{0}' has no primary key: mark the key member(s) with [Key], name them with [PrimaryKey(...)], or name a member Id or {0}Id");

    public static readonly DiagnosticDescriptor AmbiguousKeyOrder = Error(
        DiagnosticIds.AmbiguousKeyOrder, Model, "Composite key order is ambiguous",
        "The composite key of '{0}' has no unambiguous order: give every [Key] member a distinct [Column(Order = n)]");

    public static readonly DiagnosticDescriptor PrimaryKeyMemberNotMapped = Error(
        DiagnosticIds.PrimaryKeyMemberNotMapped, Model, "[PrimaryKey] names a member that is not mapped",
        "[PrimaryKey] on '{0}' names '{1}', which is not a mapped property of the type (missing, not public, or [NotMapped])");

    public static readonly DiagnosticDescriptor InvalidKeyMember = Error(
        DiagnosticIds.InvalidKeyMember, Model, "Key member cannot be part of a primary key",
        "Key member '{0}.{1}' {2}");

    public static readonly DiagnosticDescriptor UnmappableMember = Error(
        DiagnosticIds.UnmappableMember, Model, "Member type has no PostgreSQL mapping",
        "'{0}.{1}' of type '{2}' has no PostgreSQL mapping: add [Column(TypeName = \"...\")] or [NotMapped]");

    public static readonly DiagnosticDescriptor DuplicateColumn = Error(
        DiagnosticIds.DuplicateColumn, Model, "Two members map to the same column",
        "'{0}.{1}' and '{0}.{2}' both map to column \"{3}\"");

    public static readonly DiagnosticDescriptor InvalidIdentifier = Error(
        DiagnosticIds.InvalidIdentifier, Model, "Name cannot be a PostgreSQL identifier",
        "The {0} \"{1}\" of '{2}' cannot be a PostgreSQL identifier: {3}");

    public static readonly DiagnosticDescriptor InvalidServer = Error(
        DiagnosticIds.InvalidServer, Replicate, "Invalid destination server name",
        "[Replicate] on '{0}' names server \"{1}\", which cannot be used: {2}");

    public static readonly DiagnosticDescriptor DuplicateTarget = Error(
        DiagnosticIds.DuplicateTarget, Replicate, "Same destination twice",
        "'{0}' replicates to server \"{1}\", table {2}.{3} more than once; remove the duplicate [Replicate]");

    public static readonly DiagnosticDescriptor UnsupportedType = Error(
        DiagnosticIds.UnsupportedType, Replicate, "[Replicate] on a type the generator cannot emit for",
        "[Replicate] cannot be used on '{0}': {1}");

    public static readonly DiagnosticDescriptor MalformedWhere = Error(
        DiagnosticIds.MalformedWhere, Replicate, "Malformed Where filter",
        "The Where filter of [Replicate(\"{1}\")] on '{0}' is malformed: {2}");

    public static readonly DiagnosticDescriptor WhereUnknownColumn = new(
        DiagnosticIds.WhereUnknownColumn, "Where filter names an unknown column",
        "The Where filter of [Replicate(\"{1}\")] on '{0}' names \"{2}\", which is not a column of the table",
        Replicate, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticIds.WhereUnknownColumn));

    public static readonly DiagnosticDescriptor InvalidTypeName = Error(
        DiagnosticIds.InvalidTypeName, Model, "Column(TypeName) is not a type name",
        "[Column(TypeName = \"{2}\")] on '{0}.{1}' is not a plain PostgreSQL type name (letters, digits, spaces and _ ( ) , [ ] . only)");

    public static readonly DiagnosticDescriptor UndefinedMode = Error(
        DiagnosticIds.UndefinedMode, Replicate, "Undefined replication mode",
        "[Replicate(\"{1}\")] on '{0}' has Mode {2}, which is not Async, Sync or Strict");

    public static readonly DiagnosticDescriptor InvalidChannel = Error(
        DiagnosticIds.InvalidChannel, Replicate, "Invalid channel name",
        "[Replicate(\"{1}\")] on '{0}' names channel \"{2}\", which cannot be used: {3}");

    public static readonly DiagnosticDescriptor ChannelsDiffer = Error(
        DiagnosticIds.ChannelsDiffer, Replicate, "One table in two channels of one destination",
        "'{0}' replicates to server \"{1}\" in channel {2} and in channel {3}: a table's targets on one destination share one channel, so that its changes and its initial copy keep one order");

    public static readonly DiagnosticDescriptor UndefinedConflicts = Error(
        DiagnosticIds.UndefinedConflicts, Replicate, "Undefined conflict policy",
        "[Replicate(\"{1}\")] on '{0}' has Conflicts {2}, which is not ApplyRemote, LastWriterWins, KeepLocal or Error");

    public static readonly DiagnosticDescriptor InvalidVersionMember = Error(
        DiagnosticIds.InvalidVersionMember, Model, "Version member cannot order writes",
        "'{0}.{1}' is marked [ConcurrencyCheck] or [Timestamp], so it is the row's version for conflicts, but it {2}");

    public static readonly DiagnosticDescriptor UnresolvableConflicts = Error(
        DiagnosticIds.UnresolvableConflicts, Replicate, "Conflict policy cannot be enforced on this target",
        "[Replicate(\"{1}\")] on '{0}' declares Conflicts = {2}, whose detection needs every write stamped, but the target {3}");

    public static readonly DiagnosticDescriptor ForwardNeedsAsync = Error(
        DiagnosticIds.ForwardNeedsAsync, Replicate, "Forwarding needs an Async target",
        "[Replicate(\"{1}\")] on '{0}' sets Forward = true with Mode = {2}: a forwarded change is captured inside the transaction another node's replay opened here, which must not wait on a third node's commit; use Mode = Async");

    /// <summary>A pair is two types: the analyzer inspects every type of the compilation first (still a local diagnostic).</summary>
    public static readonly DiagnosticDescriptor MultiMasterApplyRemote = new(
        DiagnosticIds.MultiMasterApplyRemote,
        "Multi-master pair without a conflict policy",
        "'{0}' replicates {1} to {2}, whose type '{3}' replicates it back to {4}: with Conflicts = ApplyRemote the same key written on both nodes swaps values; declare a policy (Conflicts = ConflictPolicy.LastWriterWins)",
        Replicate,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpLink(DiagnosticIds.MultiMasterApplyRemote));

    /// <summary>The page that explains a diagnostic, under the base set at our build (PgSyncHelpLinkBase).</summary>
    public static string HelpLink(string id) => DiagnosticHelp.LinkBase + id + ".md";

    private static DiagnosticDescriptor Error(string id, string category, string title, string message) =>
        new(id, title, message, category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(id));
}
