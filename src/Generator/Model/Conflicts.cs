namespace RoslynPgSync.Generator.Model;

/// <summary>
/// The conflict policies, as the generator knows them: the same names and numbers as the runtime's
/// <c>ConflictPolicy</c> (a runtime test checks), so that the attribute's value maps without the
/// generator referencing the runtime assembly.
/// </summary>
internal enum Conflicts
{
    /// <summary>The incoming change is applied regardless (one-way copies).</summary>
    ApplyRemote = 0,

    /// <summary>The later write (higher version) wins; ties by node name.</summary>
    LastWriterWins = 1,

    /// <summary>The destination's row stays.</summary>
    KeepLocal = 2,

    /// <summary>The destination's queue stops at the conflict.</summary>
    Error = 3,
}

/// <summary>The values of <see cref="Conflicts"/>.</summary>
internal static class ConflictPolicies
{
    /// <summary>Every policy, in value order.</summary>
    public static readonly Conflicts[] All = { Conflicts.ApplyRemote, Conflicts.LastWriterWins, Conflicts.KeepLocal, Conflicts.Error };

    /// <summary>The policy of the attribute's <c>Conflicts</c> value, or null when it names none.</summary>
    public static Conflicts? FromValue(int value) => value is >= 0 and <= 3 ? (Conflicts)value : null;
}
