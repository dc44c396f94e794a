using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.TestCluster;
using Xunit;

namespace RoslynPgSync.Tests.Infrastructure;

/// <summary>Runs SQL scripts with psql, as a DBA would.</summary>
public static class Psql
{
    /// <summary>Runs <paramref name="script"/> with psql as the cluster's superuser in <paramref name="database"/>, with <c>-v name=value</c> for each variable; fails the test on any error.</summary>
    public static async Task RunAsync(PostgresCluster cluster, string database, string script, params (string Name, string Value)[] variables)
    {
        var admin = new NpgsqlConnectionStringBuilder(cluster.AdminConnectionString);
        var psql = cluster.BinDirectory is { } bin ? Path.Combine(bin, "psql") : "psql";
        var start = new ProcessStartInfo(psql)
        {
            ArgumentList = { "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", admin.Host!, "-p", admin.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", admin.Username!, "-d", database },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["PGPASSWORD"] = admin.Password },
        };
        foreach (var (name, value) in variables)
        {
            start.ArgumentList.Add("-v");
            start.ArgumentList.Add(name + "=" + value);
        }

        start.ArgumentList.Add("-f");
        start.ArgumentList.Add("-");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            await process.StandardInput.WriteAsync(script);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // psql stopped reading: it failed part-way (ON_ERROR_STOP), and says why on stderr.
        }

        var error = await errors;
        await output;
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"psql failed ({process.ExitCode}): {error}");
    }
}
