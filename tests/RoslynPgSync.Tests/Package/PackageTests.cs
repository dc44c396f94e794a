using System;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Threading.Tasks;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;

namespace RoslynPgSync.Tests.Package;

/// <summary>
/// The package is what users get, so it is tested as they use it: `dotnet pack` the runtime, then
/// build and run a fresh consumer project that references only the .nupkg from a local folder feed.
/// </summary>
[Trait("Category", "Package")]
public sealed class PackageTests : IClassFixture<PackedPackage>
{
    private readonly PackedPackage _package;

    public PackageTests(PackedPackage package) => _package = package;

    [Fact]
    public void Package_carries_runtime_for_both_targets_and_the_generator_as_an_analyzer()
    {
        using var archive = ZipFile.OpenRead(_package.NupkgPath);
        var entries = archive.Entries.Select(e => e.FullName).ToList();

        Assert.Contains("lib/net8.0/RoslynPgSync.dll", entries);
        Assert.Contains("lib/net10.0/RoslynPgSync.dll", entries);
        Assert.Contains("lib/net10.0/RoslynPgSync.xml", entries);
        Assert.Contains("analyzers/dotnet/cs/RoslynPgSync.Generator.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/RoslynPgSync.CodeFixes.dll", entries);
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && e.EndsWith("RoslynPgSync.Generator.dll", StringComparison.Ordinal));

        using var nuspec = new StreamReader(archive.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
        var manifest = nuspec.ReadToEnd();
        Assert.Contains("<id>RoslynPgSync</id>", manifest, StringComparison.Ordinal);
        Assert.Contains("id=\"Npgsql\"", manifest, StringComparison.Ordinal);
        Assert.DoesNotContain("Microsoft.CodeAnalysis", manifest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fresh_consumer_of_the_nupkg_sees_its_table_with_the_right_key()
    {
        using var consumer = new TempFolder("roslynpgsync-consumer-");
        WriteConsumerProject(consumer.Path);
        File.WriteAllText(Path.Combine(consumer.Path, "Program.cs"), """
            using System.ComponentModel.DataAnnotations;
            using System.ComponentModel.DataAnnotations.Schema;
            using RoslynPgSync;
            using RoslynPgSync.Generated;

            foreach (var table in PgSyncInstaller.Tables)
            {
                Console.WriteLine($"{table.SourceSchema}.{table.SourceTable} key=[{string.Join(",", table.KeyColumns)}] pk=[{string.Join(" ", table.PkVector)}] -> {string.Join("; ", table.Targets)}");
            }

            [Table("loc_test", Schema = "local")]
            [Replicate("dst", TargetSchema = "remote", TargetTable = "rmt_test", Mode = ReplicationMode.Sync)]
            public sealed class LocTest
            {
                [Key, Column(Order = 0)] public int Pk1 { get; set; }
                [Key, Column(Order = 1)] public string Pk2 { get; set; } = "";
                public string? Info { get; set; }
                public DateTime? CrtTime { get; set; }
                public DateTime? ModTime { get; set; }
            }
            """);

        var run = await DotNet.RunAsync(consumer.Path, TimeSpan.FromMinutes(4), "run", "--disable-build-servers", "-nodeReuse:false");

        Assert.True(run.ExitCode == 0, "consumer build/run failed:\n" + run.Output);
        Assert.Contains("local.loc_test key=[pk1,pk2] pk=[1 2] -> dst:remote.rmt_test (Sync)", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Consumer_with_a_table_without_a_key_fails_to_build_with_PGSYNC001_and_its_help_link()
    {
        using var consumer = new TempFolder("roslynpgsync-consumer-");
        WriteConsumerProject(consumer.Path);
        File.WriteAllText(Path.Combine(consumer.Path, "Program.cs"), """
            using RoslynPgSync;

            System.Console.WriteLine(RoslynPgSync.Generated.PgSyncInstaller.Tables.Count);

            [Replicate("dst")]
            public sealed class AuditLog
            {
                public string? Message { get; set; }
            }
            """);

        var build = await DotNet.RunAsync(consumer.Path, TimeSpan.FromMinutes(4), "build", "--disable-build-servers", "-nodeReuse:false");

        Assert.NotEqual(0, build.ExitCode);
        Assert.Contains("error PGSYNC001: 'AuditLog' has no primary key", build.Output, StringComparison.Ordinal);
        Assert.Contains("docs/diagnostics/PGSYNC001.md", build.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("error CS", build.Output, StringComparison.Ordinal);
    }

    private void WriteConsumerProject(string folder)
    {
        File.WriteAllText(Path.Combine(folder, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local-build" value="{_package.FeedPath}" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="local-build"><package pattern="RoslynPgSync" /></packageSource>
                <packageSource key="nuget.org"><package pattern="*" /></packageSource>
              </packageSourceMapping>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(folder, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <RestorePackagesPath>{Path.Combine(folder, "packages")}</RestorePackagesPath>
                <NuGetAudit>false</NuGetAudit>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="RoslynPgSync" Version="{_package.Version}" />
              </ItemGroup>
            </Project>
            """);
    }
}

/// <summary>Packs the runtime once per test class, with a version unique to this run.</summary>
public sealed class PackedPackage : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _feed = new("roslynpgsync-feed-");

    public string Version { get; } = "0.1.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", System.Globalization.CultureInfo.InvariantCulture);

    public string FeedPath => _feed.Path;

    public string NupkgPath => Path.Combine(_feed.Path, $"RoslynPgSync.{Version}.nupkg");

    public async Task InitializeAsync()
    {
        var project = Path.Combine(Repository.Root, "src", "Runtime", "RoslynPgSync.csproj");
        var pack = await DotNet.RunAsync(
            _feed.Path,
            TimeSpan.FromMinutes(4),
            "pack", project, "-c", "Release", "-o", _feed.Path, "-p:Version=" + Version, "--disable-build-servers", "-nodeReuse:false");
        if (pack.ExitCode != 0 || !File.Exists(NupkgPath))
        {
            throw new InvalidOperationException("dotnet pack failed:\n" + pack.Output);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _feed.Dispose();
}
