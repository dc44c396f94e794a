using System;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync;
using RoslynPgSync.Generated;
using RoslynPgSync.TestCluster;

// QuickStart: starts a throwaway PostgreSQL cluster with two databases owned by their own roles
// (the seed's `local` and `remote`), creates the replicated table on both sides from the generated
// model, and prints what the generator built. Later steps (install, writes, outage, replay,
// verify) grow here as the engine lands. Ctrl+C stops it cleanly; the cluster is always removed.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    Console.WriteLine("Stopping ...");
    cancellation.Cancel();
};

try
{
    await QuickStart.Scenario.RunAsync(cancellation.Token);
    return 0;
}
catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
{
    Console.WriteLine("Stopped by Ctrl+C; the throwaway cluster has been removed.");
    return 130;
}
catch (Exception ex) when (ex is PostgresClusterException or NpgsqlException or InvalidOperationException)
{
    Console.Error.WriteLine("QuickStart failed: " + ex.Message);
    return 1;
}

namespace QuickStart
{
    internal static class Scenario
    {
        public static async Task RunAsync(CancellationToken ct)
        {
            Step("Starting a throwaway PostgreSQL cluster");
            await using var cluster = await PostgresCluster.StartAsync(ct: ct);
            Console.WriteLine($"  PostgreSQL {cluster.Version} on {cluster.Host}:{cluster.Port}");

            await using var local = await cluster.CreateDatabaseAsync("local", ct);
            await using var remote = await cluster.CreateDatabaseAsync("remote", ct);
            Console.WriteLine($"  databases {local.Name} (role {local.OwnerRole}) and {remote.Name} (role {remote.OwnerRole}), scram-sha-256 passwords");

            var options = new PgSyncOptions { NodeName = "local" };
            options.AddServer("dst", remote.ConnectionString);
            Console.WriteLine($"  destination server: {options.Servers[0]}");

            Step("The model the generator built from [Replicate]");
            foreach (var table in PgSyncInstaller.Tables)
            {
                Console.WriteLine($"  {table.SourceSchema}.{table.SourceTable} ({table.EntityType.Name})");
                foreach (var column in table.Columns)
                {
                    Console.WriteLine($"    {column}{(column.IsKey ? "  [key]" : string.Empty)}");
                }

                Console.WriteLine($"    key ({string.Join(", ", table.KeyColumns)}), PK vector '{string.Join(" ", table.PkVector)}'");
                foreach (var target in table.Targets)
                {
                    Console.WriteLine($"    -> {target}");
                }
            }

            var locTest = PgSyncInstaller.Tables.Single(t => t.EntityType == typeof(LocTest));
            Step("Creating the tables from the model on both sides");
            await ExecuteAsync(local.ConnectionString, locTest.CreateTableSql, ct);
            await ExecuteAsync(remote.ConnectionString, locTest.Targets[0].CreateTableSql, ct);
            Console.WriteLine("  local:  " + await DescribeAsync(local.ConnectionString, locTest.SourceSchema, locTest.SourceTable, ct));
            Console.WriteLine("  remote: " + await DescribeAsync(remote.ConnectionString, locTest.Targets[0].Schema, locTest.Targets[0].Table, ct));

            Step("Done: the cluster is removed on exit");
        }

        private static void Step(string text) =>
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{DateTime.Now:HH:mm:ss}] {text}"));

        private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken ct)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync(ct);
        }

        /// <summary>The table as the catalog sees it: columns with types and the primary key's attnums.</summary>
        private static async Task<string> DescribeAsync(string connectionString, string schema, string table, CancellationToken ct)
        {
            const string sql = """
                SELECT string_agg(format('%I %s', a.attname, format_type(a.atttypid, a.atttypmod)), ', ' ORDER BY a.attnum),
                       (SELECT i.indkey::text FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)
                FROM pg_catalog.pg_class c
                JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                WHERE n.nspname = $1 AND c.relname = $2
                GROUP BY c.oid
                """;
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new() { Value = schema }, new() { Value = table } } };
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct))
            {
                throw new InvalidOperationException($"Table {schema}.{table} was not created.");
            }

            return $"{schema}.{table}({reader.GetString(0)}) PK vector '{reader.GetString(1)}'";
        }
    }
}
