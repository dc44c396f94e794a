using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.Logging;

namespace RoslynPgSync.Tests.Infrastructure;

/// <summary>
/// Keeps every log message (with its exception text), its event id, its structured state (the
/// message's named values, as [LoggerMessage] passes them) and when it was written, so tests can
/// count and grep them.
/// </summary>
/// <param name="capacity">
/// How many of the newest messages to keep (null: all). A long run (the hour's soak) keeps a bounded
/// tail, so that the test's memory bound measures the worker, not this log.
/// </param>
public sealed class CollectingLoggerProvider(int? capacity = null) : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message, EventId EventId, IReadOnlyList<KeyValuePair<string, object?>> State, DateTime At)> _messages = new();

    public IReadOnlyList<(LogLevel Level, string Message, EventId EventId, IReadOnlyList<KeyValuePair<string, object?>> State, DateTime At)> Messages => _messages.ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private void Add((LogLevel, string, EventId, IReadOnlyList<KeyValuePair<string, object?>>, DateTime) message)
    {
        _messages.Enqueue(message);
        while (capacity is { } most && _messages.Count > most && _messages.TryDequeue(out _))
        {
        }
    }

    private sealed class Logger(CollectingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Add((
                logLevel,
                formatter(state, exception) + (exception is null ? string.Empty : " | " + exception),
                eventId,
                state is IEnumerable<KeyValuePair<string, object?>> values ? values.ToList() : [],
                DateTime.UtcNow));
    }
}
