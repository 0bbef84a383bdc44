namespace Berth.Engine.Errors;

/// <summary>Log driver, docker logs, attach and TTY texts (moby daemon/logs.go, daemon/logger, moby/term).</summary>
public static partial class Messages
{
    /// <summary>The router's check (API ≤ 1.47 wording), before the container is looked up.</summary>
    public const string LogsNeedStream = "Bad parameters: you must choose at least one stream";

    public const string LogsDeadOrRemoving = "can not get logs from container which is dead or marked for removal";

    /// <summary>logger.ErrReadLogsNotSupported (a NotImplemented error: 501).</summary>
    public const string LogsReadNotSupported = "configured logging driver does not support reading";

    /// <summary>dockerd 20.10: a driver that is neither built in nor a plugin.</summary>
    public static string LogDriverNotFound(string name) => $"error looking up logging plugin {name}: plugin \"{name}\" not found";

    public static string LogDriverNotSupported(string name) => $"logging driver \"{name}\" is not supported by berthd (supported: json-file, local, none)";

    public static string UnknownLogOpt(string key, string driver) =>
        driver == "json-file" ? $"unknown log opt '{key}' for json-file log driver" : $"unknown log opt '{key}' for log driver {driver}";

    public static string LogModeNotSupported(string mode) => $"logger: logging mode not supported: {mode}";

    public const string LogMaxBufferNeedsNonBlocking = "logger: max-buffer-size option is only supported with 'mode=non-blocking'";

    public static string LogMaxBufferInvalid(string reason) => $"error parsing option max-buffer-size: {reason}";

    /// <summary>Container start: the options were accepted at create but their values do not parse.</summary>
    public static string LogDriverInitFailed(string reason) => $"failed to initialize logging driver: {reason}";

    /// <summary>Daemon start: log-opts in daemon.json or --log-opt.</summary>
    public static string DaemonLogOptsInvalid(string reason) => $"failed to set log opts: {reason}";

    public const string LogMaxSizeNotPositive = "max-size must be a positive number";

    public const string LogMaxFileTooSmall = "max-file cannot be less than 1";

    public const string LogCompressNeedsRotation = "compress cannot be true when max-file is less than 2 or max-size is not set";

    /// <summary>moby/term ToBytes, wrapped by daemon/attach.go (400).</summary>
    public static string InvalidDetachKeys(string keys) => $"Invalid detach keys ({keys}) provided";

    public static string UnknownDetachKey(string key) => $"Unknown character: '{key}'";

    /// <summary>container.GetRunningTask (resize of a stopped container): lower-case, unlike kill's.</summary>
    public static string ContainerNotRunningLower(string id) => $"container {id} is not running";

    public static string ContainerPausedAttach(string reference) => $"container {reference} is paused, unpause the container before attach";

    public static string StrconvSyntax(string function, string value) => $"strconv.{function}: parsing \"{value}\": invalid syntax";

    public static string GoUnitsSizeError(string text, bool suffix) => suffix ? $"invalid suffix: '{text}'" : $"invalid size: '{text}'";
}
