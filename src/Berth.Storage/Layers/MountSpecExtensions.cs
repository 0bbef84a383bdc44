using Berth.Engine.Images;
using Berth.Linux;

namespace Berth.Storage.Layers;

/// <summary>Runs a <see cref="MountSpec"/> through <see cref="Mounts"/> (Engine has no P/Invoke).</summary>
public static class MountSpecExtensions
{
    public static void Mount(this MountSpec spec) => Mounts.Mount(spec.Type, spec.Source, spec.Target, spec.Options);

    public static void Unmount(this MountSpec spec) => Mounts.Unmount(spec.Target);
}
