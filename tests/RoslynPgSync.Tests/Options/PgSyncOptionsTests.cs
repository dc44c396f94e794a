using System;
using System.Collections.Generic;
using Microsoft.Extensions.Configuration;
using RoslynPgSync.Hosting;
using Xunit;

namespace RoslynPgSync.Tests.Options;

/// <summary>Bad configuration fails at once, names the argument and the server, and never echoes a password.</summary>
public sealed class PgSyncOptionsTests
{
    private const string Secret = "s3cr3t-Pa55;word";
    private const string Valid = "Host=db2;Port=5433;Database=remote;Username=remote;Password=\"" + Secret + "\"";

    [Fact]
    public void Defaults_are_the_pgsync_schema_no_node_and_no_servers()
    {
        var options = new PgSyncOptions();

        Assert.Equal("pgsync", options.Schema);
        Assert.Null(options.NodeName);
        Assert.False(options.CreateMissingTables);
        Assert.Equal(TimeSpan.FromSeconds(30), options.CommitTimeout);
        Assert.Empty(options.Servers);
    }

    [Theory]
    [InlineData("00:00:05", 5.0)]
    [InlineData("none", null)]
    [InlineData("Infinite", null)]
    public void Commit_timeout_is_read_from_configuration(string value, double? seconds)
    {
        var section = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["CommitTimeout"] = value })
            .Build();
        var options = new PgSyncOptions();

        PgSyncConfiguration.Apply(section, options);

        Assert.Equal(seconds is { } s ? TimeSpan.FromSeconds(s) : null, options.CommitTimeout);
    }

    [Fact]
    public void Commit_timeout_that_is_not_positive_or_not_a_time_span_is_refused_naming_the_setting()
    {
        Assert.Equal("CommitTimeout", Assert.Throws<ArgumentOutOfRangeException>(() => new PgSyncOptions { CommitTimeout = TimeSpan.Zero }).ParamName);
        var section = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["CommitTimeout"] = "soon" })
            .Build();
        var error = Assert.Throws<FormatException>(() => PgSyncConfiguration.Apply(section, new PgSyncOptions()));
        Assert.Contains("PgSync:CommitTimeout 'soon'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, InitialCopyMode.WhenTargetEmpty)]
    [InlineData("Never", InitialCopyMode.Never)]
    [InlineData("replace", InitialCopyMode.Replace)]
    [InlineData("WhenTargetEmpty", InitialCopyMode.WhenTargetEmpty)]
    public void Initial_copy_defaults_to_when_target_empty_and_is_read_from_configuration(string? value, InitialCopyMode expected)
    {
        var section = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["InitialCopy"] = value, ["InitialCopyChunkRows"] = value is null ? null : "500" })
            .Build();
        var options = new PgSyncOptions();

        PgSyncConfiguration.Apply(section, options);

        Assert.Equal(expected, options.InitialCopy);
        Assert.Equal(value is null ? PgSyncOptions.DefaultInitialCopyChunkRows : 500, options.InitialCopyChunkRows);
    }

    [Theory]
    [InlineData("InitialCopy", "Sometimes", "PgSync:InitialCopy 'Sometimes' is not one of WhenTargetEmpty, Never, Replace")]
    [InlineData("InitialCopy", "7", "PgSync:InitialCopy '7'")]
    [InlineData("InitialCopyChunkRows", "0", "PgSync:InitialCopyChunkRows '0' is not a positive whole number")]
    [InlineData("InitialCopyChunkRows", "many", "PgSync:InitialCopyChunkRows 'many'")]
    public void Initial_copy_settings_it_cannot_use_are_refused_naming_the_setting(string key, string value, string message)
    {
        var section = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();

        var error = Assert.Throws<FormatException>(() => PgSyncConfiguration.Apply(section, new PgSyncOptions()));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal("InitialCopyChunkRows", Assert.Throws<ArgumentOutOfRangeException>(() => new PgSyncOptions { InitialCopyChunkRows = -1 }).ParamName);
    }

    [Fact]
    public void Added_server_is_parsed_and_its_description_leaves_the_password_out()
    {
        var options = new PgSyncOptions().AddServer("dst", Valid);

        var server = Assert.Single(options.Servers);
        Assert.Equal(("dst", "db2", 5433, "remote", "remote", true), (server.Name, server.Host, server.Port, server.Database, server.Username, server.HasPassword));
        Assert.Equal("dst (Host=db2;Port=5433;Database=remote;Username=remote)", server.ToString());
        Assert.Same(server, options.FindServer("dst"));
        Assert.Null(options.FindServer("DST"));
        Assert.Contains(Secret, server.ConnectionString, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234")]
    public void Empty_or_invalid_server_name_throws_naming_the_argument(string? name)
    {
        var error = Assert.Throws<ArgumentException>(() => new PgSyncOptions().AddServer(name!, Valid));

        Assert.Equal("name", error.ParamName);
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_server_throws_naming_the_server()
    {
        var options = new PgSyncOptions().AddServer("dst", Valid);

        var error = Assert.Throws<ArgumentException>(() => options.AddServer("dst", Valid));

        Assert.Equal("name", error.ParamName);
        Assert.Contains("'dst'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
        Assert.Single(options.Servers);
    }

    [Theory]
    [InlineData("Host=db2;Database=remote;Username=u;Password=" + Secret + ";Bogus=1")]
    [InlineData("Host=db2;Database=remote;Username=u;Password=" + Secret + "=x")]
    [InlineData("Host=db2;Port=not-a-number;Database=remote;Username=u;Password=" + Secret)]
    [InlineData("this is not a connection string " + Secret)]
    public void Unparsable_connection_string_throws_naming_server_and_argument_without_echoing_it(string connectionString)
    {
        var error = Assert.Throws<ArgumentException>(() => new PgSyncOptions().AddServer("dst", connectionString));

        Assert.Equal("connectionString", error.ParamName);
        Assert.Contains("'dst'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", error.ToString(), StringComparison.Ordinal);
        Assert.Null(error.InnerException);
    }

    [Theory]
    [InlineData("Database=remote;Username=u;Password=s3cr3t", "Host")]
    [InlineData("Host=db2;Username=u;Password=s3cr3t", "Database")]
    [InlineData("Host=db2;Database=remote;Password=s3cr3t", "Username")]
    public void Connection_string_without_host_database_or_username_says_which_is_missing(string connectionString, string missing)
    {
        var error = Assert.Throws<ArgumentException>(() => new PgSyncOptions().AddServer("dst", connectionString));

        Assert.Contains("no " + missing, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234")]
    public void Invalid_schema_or_node_name_throws_naming_the_property(string value)
    {
        Assert.Equal("Schema", Assert.Throws<ArgumentException>(() => new PgSyncOptions { Schema = value }).ParamName);
        Assert.Equal("NodeName", Assert.Throws<ArgumentException>(() => new PgSyncOptions { NodeName = value }).ParamName);
    }

    [Fact]
    public void Replicate_attribute_rejects_an_empty_server_and_defaults_to_async()
    {
        Assert.Equal("server", Assert.Throws<ArgumentException>(() => new ReplicateAttribute(" ")).ParamName);

        var attribute = new ReplicateAttribute("dst");
        Assert.Equal(ReplicationMode.Async, attribute.Mode);
        Assert.Null(attribute.TargetSchema);
        Assert.Null(attribute.Where);
        var usage = (AttributeUsageAttribute)Attribute.GetCustomAttribute(typeof(ReplicateAttribute), typeof(AttributeUsageAttribute))!;
        Assert.True(usage.AllowMultiple);
    }
}
