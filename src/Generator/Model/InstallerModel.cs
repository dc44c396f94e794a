namespace RoslynPgSync.Generator.Model;

/// <summary>
/// What the installer file needs: the factories' suffixes, ordered by hint name. A class, not the bare
/// <see cref="EquatableArray{T}"/>: Roslyn's pipeline code for reference types is precompiled, while
/// every value type flowing through it makes the JIT compile that code again in a cold build.
/// </summary>
/// <param name="MemberSuffixes">The <see cref="TableModel.MemberSuffix"/> of every valid table.</param>
internal sealed record InstallerModel(EquatableArray<string> MemberSuffixes);

/// <summary>Whether the compilation references the RoslynPgSync runtime (a class for the same reason as <see cref="InstallerModel"/>).</summary>
internal sealed class RuntimeReference
{
    public static readonly RuntimeReference Present = new(), Absent = new();

    private RuntimeReference()
    {
    }
}
