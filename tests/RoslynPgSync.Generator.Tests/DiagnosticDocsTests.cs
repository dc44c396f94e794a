using System;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using RoslynPgSync.Generator.Diagnostics;
using RoslynPgSync.Generator.Tests.Infrastructure;
using Xunit;

namespace RoslynPgSync.Generator.Tests;

/// <summary>
/// Every diagnostic has one id, one descriptor, a page in docs/diagnostics, a row in its index, and a
/// help link built from the one configured base (PgSyncHelpLinkBase, see docs/diagnostics/README.md).
/// </summary>
public sealed class DiagnosticDocsTests
{
    private static readonly string[] Ids = typeof(DiagnosticIds)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToArray();

    private static readonly DiagnosticDescriptor[] Descriptors = typeof(DiagnosticDescriptors)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
        .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
        .ToArray();

    public static TheoryData<string> AllIds() => new(Ids);

    [Fact]
    public void Ids_descriptors_and_the_analyzer_name_the_same_diagnostics_once_each()
    {
        Assert.NotEmpty(Ids);
        Assert.Equal(Ids.Length, Ids.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(Ids.Order(StringComparer.Ordinal), Descriptors.Select(d => d.Id).Order(StringComparer.Ordinal));
        Assert.Equal(Ids.Order(StringComparer.Ordinal), new ReplicateAnalyzer().SupportedDiagnostics.Select(d => d.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_link_base_is_the_one_the_build_was_given()
    {
        var configured = typeof(DiagnosticDocsTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "PgSyncHelpLinkBase").Value;

        Assert.Equal(DiagnosticHelp.LinkBase, configured);
        Assert.True(Uri.TryCreate(DiagnosticHelp.LinkBase, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http", DiagnosticHelp.LinkBase);
        Assert.EndsWith("/", DiagnosticHelp.LinkBase, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_descriptor_links_to_its_page_under_the_configured_base()
    {
        Assert.All(Descriptors, d => Assert.Equal(DiagnosticHelp.LinkBase + d.Id + ".md", d.HelpLinkUri));
    }

    [Theory]
    [MemberData(nameof(AllIds))]
    public void Every_id_has_a_page_titled_as_its_descriptor_and_a_row_in_the_index(string id)
    {
        var page = RepositoryFiles.PathOf("docs", "diagnostics", id + ".md");
        Assert.True(File.Exists(page), "missing " + page);

        var descriptor = Descriptors.Single(d => d.Id == id);
        var title = descriptor.Title.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal("# " + id + ": " + title, File.ReadLines(page).First());

        var index = File.ReadAllText(RepositoryFiles.PathOf("docs", "diagnostics", "README.md"));
        Assert.Contains($"| [{id}]({id}.md) | {title} |", index, StringComparison.Ordinal);
    }
}
