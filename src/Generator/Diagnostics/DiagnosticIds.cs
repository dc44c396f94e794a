namespace RoslynPgSync.Generator.Diagnostics;

/// <summary>
/// The id of every diagnostic RoslynPgSync reports. The one place an id is spelled: the
/// descriptors use these, and so do the code fixes, which compile this file in by link
/// (the code-fix assembly does not reference the generator, so that the generator never loads
/// Workspaces).
/// </summary>
internal static class DiagnosticIds
{
    public const string NoPrimaryKey = "PGSYNC001";
    public const string AmbiguousKeyOrder = "PGSYNC002";
    public const string PrimaryKeyMemberNotMapped = "PGSYNC003";
    public const string InvalidKeyMember = "PGSYNC004";
    public const string UnmappableMember = "PGSYNC005";
    public const string DuplicateColumn = "PGSYNC006";
    public const string InvalidIdentifier = "PGSYNC007";
    public const string InvalidServer = "PGSYNC008";
    public const string DuplicateTarget = "PGSYNC009";
    public const string UnsupportedType = "PGSYNC010";
    public const string MalformedWhere = "PGSYNC011";
    public const string WhereUnknownColumn = "PGSYNC012";
    public const string InvalidTypeName = "PGSYNC013";
    public const string UndefinedMode = "PGSYNC014";
    public const string InvalidChannel = "PGSYNC015";
    public const string ChannelsDiffer = "PGSYNC016";
    public const string UndefinedConflicts = "PGSYNC017";
    public const string InvalidVersionMember = "PGSYNC018";
    public const string MultiMasterApplyRemote = "PGSYNC019";
    public const string UnresolvableConflicts = "PGSYNC020";
    public const string ForwardNeedsAsync = "PGSYNC021";
}
