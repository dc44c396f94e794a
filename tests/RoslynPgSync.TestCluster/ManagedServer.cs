using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace RoslynPgSync.TestCluster;

/// <summary>
/// One server this library created: its folder, initdb, pg_ctl start/stop, the watchdog and the
/// clean-up at dispose and at process exit.
/// </summary>
internal sealed class ManagedServer : IAsyncDisposable
{
    /// <summary>The superuser that initdb creates.</summary>
    public const string SuperuserName = "postgres";

    private const int MaxPortAttempts = 5;

    private readonly PostgresBinaries _binaries;
    private readonly PostgresClusterOptions _options;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly Watchdog _watchdog;
    private bool _disposed;

    private ManagedServer(ClusterFolder folder, PostgresBinaries binaries, PostgresClusterOptions options, string password, Watchdog watchdog)
    {
        Folder = folder;
        _binaries = binaries;
        _options = options;
        SuperuserPassword = password;
        _watchdog = watchdog;
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    public ClusterFolder Folder { get; }

    public string BinDirectory => _binaries.BinDirectory;

    public string SuperuserPassword { get; }

    public int Port { get; private set; }

    public bool IsRunning { get; private set; }

    /// <summary>Creates the folder and the watchdog, runs initdb and starts the server.</summary>
    public static async Task<ManagedServer> CreateAsync(PostgresClusterOptions options, PostgresBinaries binaries, CancellationToken ct)
    {
        if (OperatingSystem.IsWindows())
        {
            throw NotOnWindows();
        }

        Directory.CreateDirectory(options.TempRoot);
        var folder = new ClusterFolder(Path.Combine(options.TempRoot, ClusterFolder.NamePrefix + RandomText.Suffix()));
        Directory.CreateDirectory(folder.Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        OwnerFile.ForCurrentProcess(binaries.BinDirectory).Write(folder.OwnerFilePath);

        Watchdog watchdog;
        try
        {
            watchdog = Watchdog.Start(folder.Root, binaries.Command("pg_ctl", "stop", "-D", folder.DataDirectory, "-m", "immediate", "-w", "-s"));
        }
        catch
        {
            Directory.Delete(folder.Root, recursive: true);
            throw;
        }

        var server = new ManagedServer(folder, binaries, options, RandomText.Password(), watchdog);
        try
        {
            await server.InitDbAsync(ct).ConfigureAwait(false);
            await server.StartOnFreePortAsync(ct).ConfigureAwait(false);
            return server;
        }
        catch (Exception ex) when (ex is not PostgresClusterException && ex is not OperationCanceledException)
        {
            var tail = server.ReadLogTail(40);
            await server.DisposeAsync().ConfigureAwait(false);
            throw new PostgresClusterException($"Could not create a PostgreSQL cluster: {ex.Message}{FormatLog(tail)}", ex);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Starts the stopped server again on the same port.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        await _lifecycle.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (IsRunning)
            {
                return;
            }

            var offset = ServerLog.Length(Folder.LogFile);
            if (!await TryPgCtlStartAsync(ct).ConfigureAwait(false))
            {
                throw new PostgresClusterException(
                    $"Could not restart the PostgreSQL server on port {Port}.{FormatLog(ServerLog.ReadFrom(Folder.LogFile, offset))}");
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Stops the server: fast (sessions end cleanly) or immediate (like a crash).</summary>
    public async Task StopAsync(bool immediate, CancellationToken ct)
    {
        await _lifecycle.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!IsRunning)
            {
                return;
            }

            await StopCoreAsync(immediate, ct).ConfigureAwait(false);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>The command that stops this server immediately (what the watchdog runs).</summary>
    public CommandLine ImmediateStopCommand => StopCommand(immediate: true);

    /// <summary>The last lines of the server log, with password literals blanked.</summary>
    public string ReadLogTail(int lines) => ServerLog.Tail(Folder.LogFile, lines);

    /// <summary>Stops the server (fast, then immediate if that fails), ends the watchdog and deletes the folder.</summary>
    public async ValueTask DisposeAsync()
    {
        await _lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
            _watchdog.Dispose();
            if (File.Exists(Folder.PostmasterPidFile))
            {
                try
                {
                    await StopCoreAsync(immediate: false, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is PostgresClusterException or TimeoutException)
                {
                    await ProcessRunner.RunAsync(StopCommand(immediate: true), Folder.Root, _options.CommandTimeout, CancellationToken.None).ConfigureAwait(false);
                }
            }

            DeleteFolder();
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private async Task InitDbAsync(CancellationToken ct)
    {
        if (OperatingSystem.IsWindows())
        {
            throw NotOnWindows();
        }

        var passwordOptions = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        await using (var stream = new FileStream(Folder.PasswordFile, passwordOptions))
        await using (var writer = new StreamWriter(stream))
        {
            await writer.WriteLineAsync(SuperuserPassword.AsMemory(), ct).ConfigureAwait(false);
        }

        try
        {
            await HandOverFolderAsync(ct).ConfigureAwait(false);
            await ProcessRunner.RunCheckedAsync(
                _binaries.Command(
                    "initdb",
                    "-D", Folder.DataDirectory,
                    "-U", SuperuserName,
                    "--pwfile=" + Folder.PasswordFile,
                    "--encoding=UTF8",
                    "--locale=C",
                    // Only processes that can enter the private 0700 folder reach the socket.
                    "--auth-local=trust",
                    "--auth-host=" + _options.HostAuthentication,
                    "--no-sync"),
                Folder.Root,
                _options.CommandTimeout,
                ct).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(Folder.PasswordFile);
        }
    }

    private async Task StartOnFreePortAsync(CancellationToken ct)
    {
        var attempts = new List<string>();
        for (var attempt = 1; attempt <= MaxPortAttempts; attempt++)
        {
            Port = FreePort.Find();
            ServerSettings.Write(Folder, _options, Port);
            await HandOverFolderAsync(ct).ConfigureAwait(false);

            var offset = ServerLog.Length(Folder.LogFile);
            if (await TryPgCtlStartAsync(ct).ConfigureAwait(false))
            {
                return;
            }

            var log = ServerLog.ReadFrom(Folder.LogFile, offset);
            if (!log.Contains("could not bind", StringComparison.OrdinalIgnoreCase)
                && !log.Contains("Address already in use", StringComparison.OrdinalIgnoreCase))
            {
                throw new PostgresClusterException($"The PostgreSQL server did not start.{FormatLog(log)}");
            }

            attempts.Add(Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        throw new PostgresClusterException(
            $"The PostgreSQL server could not bind a port after {MaxPortAttempts} attempts (tried {string.Join(", ", attempts)}).{FormatLog(ReadLogTail(20))}");
    }

    /// <summary>Runs <c>pg_ctl start -w</c>; false when the server did not come up (the log says why).</summary>
    private async Task<bool> TryPgCtlStartAsync(CancellationToken ct)
    {
        var timeoutSeconds = ((int)Math.Ceiling(_options.CommandTimeout.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var result = await ProcessRunner.RunAsync(
            _binaries.Command("pg_ctl", "start", "-D", Folder.DataDirectory, "-l", Folder.LogFile, "-w", "-t", timeoutSeconds, "-s"),
            Folder.Root,
            _options.CommandTimeout + TimeSpan.FromSeconds(10),
            ct).ConfigureAwait(false);
        if (result.ExitCode == 0)
        {
            IsRunning = true;
            return true;
        }

        // A postmaster that is still starting after the timeout must not be left behind.
        if (File.Exists(Folder.PostmasterPidFile))
        {
            await ProcessRunner.RunAsync(StopCommand(immediate: true), Folder.Root, _options.CommandTimeout, ct).ConfigureAwait(false);
        }

        return false;
    }

    private async Task StopCoreAsync(bool immediate, CancellationToken ct)
    {
        // Idle pooled connections to this server are about to break.
        Npgsql.NpgsqlConnection.ClearAllPools();
        var result = await ProcessRunner.RunAsync(StopCommand(immediate), Folder.Root, _options.CommandTimeout + TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
        if (result.ExitCode != 0 && File.Exists(Folder.PostmasterPidFile))
        {
            throw new PostgresClusterException(
                $"'pg_ctl stop' exited with code {result.ExitCode}: {result.StandardError.Trim()}{FormatLog(ReadLogTail(20))}");
        }

        IsRunning = false;
    }

    private CommandLine StopCommand(bool immediate)
    {
        var timeoutSeconds = ((int)Math.Ceiling(_options.CommandTimeout.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return _binaries.Command("pg_ctl", "stop", "-D", Folder.DataDirectory, "-m", immediate ? "immediate" : "fast", "-w", "-t", timeoutSeconds, "-s");
    }

    /// <summary>When running as root, gives the folder to the postgres OS user, who runs the server.</summary>
    private async Task HandOverFolderAsync(CancellationToken ct)
    {
        if (_binaries.RunAsServiceUser)
        {
            await ProcessRunner.RunCheckedAsync(
                new CommandLine("chown", ["-R", PostgresBinaries.ServiceUser + ":", Folder.Root]),
                "/",
                _options.CommandTimeout,
                ct).ConfigureAwait(false);
        }
    }

    private void DeleteFolder()
    {
        try
        {
            if (Directory.Exists(Folder.Root))
            {
                Directory.Delete(Folder.Root, recursive: true);
            }
        }
        catch (DirectoryNotFoundException)
        {
            // Someone (a stale-cluster scan, the watchdog) was quicker.
        }
    }

    private void OnProcessExit(object? sender, EventArgs e)
    {
        // Nothing can be awaited here any more, and a test host is killed about 100 ms after it
        // starts exiting: signal the postmaster directly (SIGQUIT = immediate shutdown; the data is
        // thrown away anyway) instead of going through runuser and pg_ctl. Whatever does not get
        // done in time, the watchdog does once this process is gone.
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        var postmaster = Folder.TryReadPostmasterPid();
        if (postmaster is { } pid && LinuxProcess.IsAlive(pid))
        {
            ProcessRunner.RunBestEffort(
                new CommandLine("kill", ["-QUIT", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]), "/", TimeSpan.FromSeconds(5));
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (LinuxProcess.IsAlive(pid) && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(10);
            }
        }

        try
        {
            DeleteFolder();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The watchdog removes it once this process is gone.
        }

        _watchdog.Dispose();
    }

    private static PlatformNotSupportedException NotOnWindows() =>
        new("Throwaway clusters need Linux (runuser, setsid, /proc). On Windows set " +
            PostgresClusterOptions.ExistingServerVariable + " to a superuser connection string of a running server.");

    private static string FormatLog(string log) =>
        string.IsNullOrWhiteSpace(log) ? " (the server log is empty)" : Environment.NewLine + "Server log (last lines):" + Environment.NewLine + log.Trim();
}
