using System.Globalization;
using System.Text;
using Berth.Engine.Configuration;
using Microsoft.Extensions.Logging;

namespace Berth.Daemon.Logging;

/// <summary>
/// Logs to stderr in dockerd's (logrus) text shape: time="…" level=info msg="…". The level comes
/// from the live config snapshot, so a SIGHUP that changes debug or log-level applies at once.
/// </summary>
public sealed class StderrLoggerProvider : ILoggerProvider
{
    private readonly Func<LogLevel> _minimum;
    private readonly Lock _writeLock = new();
    private readonly TextWriter _out;

    public StderrLoggerProvider(Func<LogLevel> minimum, TextWriter? output = null)
    {
        _minimum = minimum;
        _out = output ?? Console.Error;
    }

    /// <summary>dockerd's level names; --debug forces debug.</summary>
    public static LogLevel LevelOf(DaemonConfig config) => config.Debug ? LogLevel.Debug : config.LogLevel switch
    {
        "debug" or "trace" => LogLevel.Debug,
        "warn" or "warning" => LogLevel.Warning,
        "error" => LogLevel.Error,
        "fatal" or "panic" => LogLevel.Critical,
        _ => LogLevel.Information,
    };

    public ILogger CreateLogger(string categoryName) => new StderrLogger(this, categoryName);

    public void Dispose()
    {
    }

    private void Write(LogLevel level, string category, string message, Exception? error)
    {
        var line = new StringBuilder(128);
        line.Append("time=\"")
            .Append(DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture))
            .Append("\" level=").Append(Name(level))
            .Append(" msg=\"").Append(Escape(message)).Append('"');
        if (error is not null)
        {
            line.Append(" error=\"").Append(Escape(error.Message)).Append('"');
        }
        if (level <= LogLevel.Debug)
        {
            line.Append(" module=").Append(category);
        }
        if (error is not null && level >= LogLevel.Error)
        {
            line.Append('\n').Append(error);
        }
        lock (_writeLock)
        {
            _out.WriteLine(line.ToString());
            _out.Flush();
        }
    }

    private static string Name(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warning",
        LogLevel.Error => "error",
        _ => "fatal",
    };

    private static string Escape(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    private sealed class StderrLogger : ILogger
    {
        private readonly StderrLoggerProvider _provider;
        private readonly string _category;

        public StderrLogger(StderrLoggerProvider provider, string category)
        {
            _provider = provider;
            _category = category;
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= _provider._minimum();

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel) || IsNoise(logLevel))
            {
                return;
            }
            _provider.Write(logLevel, _category, formatter(state, exception), exception);
        }

        // Framework chatter at info ("Now listening on", "Application started") says nothing to
        // a daemon's operator; keep framework categories to warnings unless debugging.
        private bool IsNoise(LogLevel level) =>
            level < LogLevel.Warning && _category.StartsWith("Microsoft.", StringComparison.Ordinal) && _provider._minimum() > LogLevel.Debug;
    }
}
