using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.Logging;

namespace RoslynPgSync.Tests.Infrastructure;

/// <summary>
/// Keeps every log message (with its exception text), its event id and its structured state (the
/// message's named values, as [LoggerMessage] passes them) so tests can count and grep them.
/// </summary>
public sealed class CollectingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message, EventId EventId, IReadOnlyList<KeyValuePair<string, object?>> State)> _messages = new();

    public IReadOnlyList<(LogLevel Level, string Message, EventId EventId, IReadOnlyList<KeyValuePair<string, object?>> State)> Messages => _messages.ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(CollectingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._messages.Enqueue((
                logLevel,
                formatter(state, exception) + (exception is null ? string.Empty : " | " + exception),
                eventId,
                state is IEnumerable<KeyValuePair<string, object?>> values ? values.ToList() : []));
    }
}
