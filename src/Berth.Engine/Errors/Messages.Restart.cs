namespace Berth.Engine.Errors;

/// <summary>Restart policy texts (moby api/types/container/hostconfig.go ValidateRestartPolicy, Engine 25).</summary>
public static partial class Messages
{
    public static string RestartPolicyMaxRetryOnlyOnFailure(bool negative) =>
        "invalid restart policy: maximum retry count can only be used with 'on-failure'" + (negative ? " and cannot be negative" : "");

    public const string RestartPolicyMaxRetryNegative = "invalid restart policy: maximum retry count cannot be negative";

    public static string RestartPolicyUnknown(string name) =>
        $"invalid restart policy: unknown policy '{name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'";
}
