using System.IO;
using BenchmarkDotNet.Loggers;

namespace RoslynPgSync.Bench;

/// <summary>
/// Sends BenchmarkDotNet's console output to the harness's log. In quick mode only its warnings and
/// errors pass, so that a failing test shows why without hundreds of lines of progress.
/// </summary>
internal sealed class GeneratorBenchLogger : ILogger
{
    private readonly TextWriter _log;
    private readonly bool _warningsOnly;
    private bool _lineOpen;

    public GeneratorBenchLogger(TextWriter log, bool warningsOnly)
    {
        _log = log;
        _warningsOnly = warningsOnly;
    }

    public string Id => nameof(GeneratorBenchLogger);

    public int Priority => 0;

    public void Write(LogKind logKind, string text)
    {
        if (Passes(logKind))
        {
            _log.Write(text);
            _lineOpen = true;
        }
    }

    public void WriteLine()
    {
        if (!_warningsOnly || _lineOpen)
        {
            _log.WriteLine();
        }

        _lineOpen = false;
    }

    public void WriteLine(LogKind logKind, string text)
    {
        if (Passes(logKind))
        {
            _log.WriteLine(text);
        }
        else if (_lineOpen)
        {
            _log.WriteLine();
        }

        _lineOpen = false;
    }

    public void Flush() => _log.Flush();

    private bool Passes(LogKind logKind) => !_warningsOnly || logKind is LogKind.Warning or LogKind.Error;
}
