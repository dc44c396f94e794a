using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RoslynPgSync.Generator.Tests.Infrastructure;
using Xunit;

namespace RoslynPgSync.Generator.Tests;

/// <summary>
/// The generator's folders depend one way (Parsing → Diagnostics, Model, Sql; Emit → Model, Sql),
/// so that each can change, and be read, without the ones above it. The generator and the
/// analyzer, at the top, may use any of them.
/// </summary>
public sealed class LayeringTests
{
    private const string Model = "RoslynPgSync.Generator.Model";
    private const string Diagnostics = "RoslynPgSync.Generator.Diagnostics";
    private const string Parsing = "RoslynPgSync.Generator.Parsing";
    private const string Emit = "RoslynPgSync.Generator.Emit";
    private const string Sql = "RoslynPgSync.Sql";

    private static readonly Dictionary<string, string[]> MayUse = new(StringComparer.Ordinal)
    {
        ["Model"] = Array.Empty<string>(),
        ["Diagnostics"] = new[] { Sql },
        ["Sql"] = new[] { Model },
        ["Parsing"] = new[] { Model, Diagnostics, Sql },
        ["Emit"] = new[] { Model, Sql },
    };

    private static readonly string[] Ours = { Model, Diagnostics, Parsing, Emit, Sql, "RoslynPgSync.Generator" };

    [Theory]
    [InlineData("Model")]
    [InlineData("Diagnostics")]
    [InlineData("Sql")]
    [InlineData("Parsing")]
    [InlineData("Emit")]
    public void Folder_uses_only_the_layers_below_it(string folder)
    {
        var files = Directory.GetFiles(RepositoryFiles.PathOf("src", "Generator", folder), "*.cs");
        Assert.NotEmpty(files);

        foreach (var file in files)
        {
            var root = CSharpSyntaxTree.ParseText(File.ReadAllText(file)).GetCompilationUnitRoot();
            var own = root.DescendantNodes().OfType<BaseNamespaceDeclarationSyntax>().Select(n => n.Name.ToString()).ToList();
            var used = root.DescendantNodes().OfType<UsingDirectiveSyntax>().Select(u => u.Name!.ToString())
                .Concat(QualifiedNamesInCode(root))
                .Select(n => n.Replace("global::", "", StringComparison.Ordinal))
                .Where(IsOurs)
                .Select(LayerOf)
                .Where(layer => !own.Contains(layer, StringComparer.Ordinal))
                .Distinct(StringComparer.Ordinal);

            Assert.All(used, layer => Assert.True(
                MayUse[folder].Contains(layer, StringComparer.Ordinal),
                $"{Path.GetFileName(file)} in {folder}/ uses {layer}, which {folder} must not depend on"));
        }
    }

    /// <summary>Dotted names written in the code (<c>RoslynPgSync.Generator.Parsing.TableParser.Parse</c>), outermost only.</summary>
    private static IEnumerable<string> QualifiedNamesInCode(CompilationUnitSyntax root) =>
        root.DescendantNodes(n => n is not UsingDirectiveSyntax)
            .Where(n => n is QualifiedNameSyntax or MemberAccessExpressionSyntax &&
                        n.Parent is not QualifiedNameSyntax and not MemberAccessExpressionSyntax)
            .Where(n => n.Parent is not BaseNamespaceDeclarationSyntax)
            .Select(n => n.ToString());

    private static bool IsOurs(string name) =>
        Ours.Any(n => name == n || name.StartsWith(n + ".", StringComparison.Ordinal));

    private static string LayerOf(string name) =>
        Ours.First(n => name == n || name.StartsWith(n + ".", StringComparison.Ordinal));
}
