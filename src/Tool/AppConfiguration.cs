using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.Extensions.Configuration;
using RoslynPgSync.Hosting;

namespace RoslynPgSync.Tool;

/// <summary>
/// What every command but <c>dba-script</c> starts from: the tables of the app's generated
/// <c>PgSyncInstaller.Tables</c>, and the options and local database of its configuration section
/// (read as <c>AddPgSync</c> reads it, environment variables such as <c>PgSync__Servers__dst</c> included).
/// </summary>
internal sealed class AppConfiguration
{
    private readonly IConfigurationSection _section;

    private AppConfiguration(IReadOnlyList<ReplicatedTable> tables, PgSyncOptions options, IConfigurationSection section)
    {
        Tables = tables;
        Options = options;
        _section = section;
    }

    public IReadOnlyList<ReplicatedTable> Tables { get; }

    public PgSyncOptions Options { get; }

    /// <summary>Loads the assembly first, then the configuration: a wrong assembly is named before a wrong file.</summary>
    public static AppConfiguration Load(string assemblyPath, string? configFile, string sectionName)
    {
        var tables = LoadTables(assemblyPath);
        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            builder.AddJsonFile(Path.GetFullPath(configFile), optional: false);
        }

        var section = builder.AddEnvironmentVariables().Build().GetSection(sectionName);
        var options = new PgSyncOptions();
        PgSyncConfiguration.Apply(section, options);
        return new AppConfiguration(tables, options, section);
    }

    /// <summary><paramref name="local"/> (<c>--local</c>) or the section's <c>LocalConnectionString</c>.</summary>
    public string LocalConnectionString(string? local) =>
        local ?? _section["LocalConnectionString"]
        ?? throw new ArgumentException("The local database is missing: set PgSync:LocalConnectionString or pass --local.");

    /// <summary>
    /// Loads the app's assembly into the default context, resolving its dependencies from its own
    /// deps.json, so that its <c>ReplicatedTable</c> is the tool's (RoslynPgSync itself is shared).
    /// </summary>
    internal static IReadOnlyList<ReplicatedTable> LoadTables(string assemblyPath)
    {
        var path = Path.GetFullPath(assemblyPath);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The app assembly '{path}' does not exist; build the app and pass its .dll with --assembly.");
        }

        var resolver = new AssemblyDependencyResolver(path);
        AssemblyLoadContext.Default.Resolving += (context, name) =>
            resolver.ResolveAssemblyToPath(name) is { } dependency ? context.LoadFromAssemblyPath(dependency) : null;
        var assembly = AssemblyLoadContext.Default.Assemblies.FirstOrDefault(a => !a.IsDynamic && string.Equals(a.Location, path, StringComparison.Ordinal))
            ?? AssemblyLoadContext.Default.LoadFromAssemblyPath(path);
        var installer = assembly.GetType("RoslynPgSync.Generated.PgSyncInstaller")
            ?? throw new InvalidOperationException($"{Path.GetFileName(path)} has no RoslynPgSync.Generated.PgSyncInstaller: it was not built with the RoslynPgSync package, or has no [Replicate] type.");
        var tables = installer.GetProperty("Tables", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as IReadOnlyList<ReplicatedTable>;
        return tables ?? throw new InvalidOperationException($"{Path.GetFileName(path)} was built with another RoslynPgSync version than this tool; use the tool of the same version.");
    }
}
