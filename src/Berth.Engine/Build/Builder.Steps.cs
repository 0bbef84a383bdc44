using System.Formats.Tar;
using System.Globalization;
using Berth.Engine.Build.Context;
using Berth.Engine.Build.Copy;
using Berth.Engine.Build.Dockerfile;
using Berth.Engine.Errors;
using Berth.Engine.Images;

namespace Berth.Engine.Build;

public sealed partial class Builder
{
    private static readonly string[] DefaultShell = ["/bin/sh", "-c"];

    private Task DispatchAsync(StageState state, BuildStage? stage, Instruction instruction, CancellationToken cancellationToken) => instruction switch
    {
        CommandInstruction { Node.Name: "run" } run => RunAsync(state, run, cancellationToken),
        CommandInstruction { Node.Name: "shell" } shell => ConfigStepAsync(state, instruction.Node, c => c.Shell = [.. shell.Command], cancellationToken),
        CommandInstruction => ConfigStepAsync(state, instruction.Node, c => ApplyChange(state, c, instruction.Node), cancellationToken),
        CopyInstruction copy => CopyAsync(state, stage, copy, cancellationToken),
        ArgInstruction arg => ConfigStepAsync(state, instruction.Node, c =>
        {
            foreach (var (name, value) in arg.Args)
            {
                _vars.Declare(name, value, c);
            }
        }, cancellationToken),
        ConfigInstruction { Node.Name: "maintainer" } => ConfigStepAsync(state, instruction.Node, _ => { }, cancellationToken),
        ConfigInstruction { Node.Name: "workdir" } => WorkdirAsync(state, instruction.Node, cancellationToken),
        ConfigInstruction => ConfigStepAsync(state, instruction.Node, c => ApplyChange(state, c, instruction.Node), cancellationToken),
        _ => throw DaemonException.InvalidParameter($"unknown instruction: {instruction.Node.Name.ToUpperInvariant()}"),
    };

    private void ApplyChange(StageState state, RunConfig config, DockerfileNode node)
    {
        bool cmdSet = state.CmdSet;
        string args = node.Flags.Count == 0 ? node.Args : string.Join(' ', node.Flags) + " " + node.Args;
        ImportChanges.Dispatch(config, node.Name, args, ref cmdSet, name => config.GetEnv(name) ?? _vars.Arg(name));
        state.CmdSet = cmdSet;
    }

    /// <summary>A step that only changes the config: an image with no new layer (empty_layer).</summary>
    private async Task ConfigStepAsync(StageState state, DockerfileNode node, Action<RunConfig> apply, CancellationToken cancellationToken)
    {
        var config = RunConfigs.Clone(state.Config);
        apply(config);
        string createdBy = "/bin/sh -c #(nop)  " + node.Original;
        string key = CacheKey(state.Image, createdBy, config, "");
        if (await TryCacheAsync(state, key, config, cancellationToken))
        {
            return;
        }
        state.Image = await _backend.CommitAsync(state.Image, null, config, createdBy, cancellationToken);
        state.Config = config;
        _backend.CacheStore(key, state.Image.Id!.Value);
    }

    /// <summary>WORKDIR also creates the directory (a small layer) when the image lacks it.</summary>
    private async Task WorkdirAsync(StageState state, DockerfileNode node, CancellationToken cancellationToken)
    {
        var config = RunConfigs.Clone(state.Config);
        ApplyChange(state, config, node);
        var view = new LayeredView(state.Image.LayerDirs);
        if (view.Lookup(view.Resolve(config.WorkingDir, followFinal: true)).Kind == NodeKind.Directory)
        {
            await ConfigStepAsync(state, node, c => ApplyChange(state, c, node), cancellationToken);
            return;
        }
        string createdBy = "/bin/sh -c #(nop) WORKDIR " + config.WorkingDir;
        string key = CacheKey(state.Image, createdBy, config, "mkdir");
        if (await TryCacheAsync(state, key, config, cancellationToken))
        {
            return;
        }
        string tarPath = Path.Combine(_scratchDir, $"workdir-{_step}.tar");
        await using (var file = File.Create(tarPath))
        await using (var tar = new TarWriter(file, TarEntryFormat.Pax, leaveOpen: true))
        {
            new CopyLayerWriter(view, tar, new CopyOwnership(0, 0, null)).EnsureDirectory(config.WorkingDir);
        }
        await CommitTarAsync(state, tarPath, config, createdBy, key, cancellationToken);
    }

    private async Task RunAsync(StageState state, CommandInstruction run, CancellationToken cancellationToken)
    {
        var config = state.Config;
        List<string> command = run.ShellForm ? [.. config.Shell ?? [.. DefaultShell], run.Command[0]] : [.. run.Command];
        var args = _vars.InEffect(config);
        string prefix = args.Count == 0 ? "" : $"|{args.Count} {string.Join(' ', args.Select(a => a.Key + "=" + a.Value))} ";
        string createdBy = prefix + string.Join(' ', command);
        string key = CacheKey(state.Image, createdBy, config, "");
        if (await TryCacheAsync(state, key, config, cancellationToken))
        {
            return;
        }
        var runConfig = RunConfigs.Clone(config);
        foreach (var (name, value) in args)
        {
            runConfig.SetEnv(name, value);
        }
        var result = await _backend.RunAsync(state.Image, runConfig, command, _options, _output, cancellationToken);
        if (result.ExitCode != 0)
        {
            if (_options.ForceRemove)
            {
                await RemoveAsync(result.ContainerId, cancellationToken);
            }
            throw new BuildStepException($"The command '{string.Join(' ', command)}' returned a non-zero code: {result.ExitCode}", result.ExitCode);
        }
        try
        {
            state.Image = await _backend.CommitContainerAsync(result.ContainerId, state.Image, config, createdBy, cancellationToken);
        }
        finally
        {
            if (_options.Remove || _options.ForceRemove)
            {
                await RemoveAsync(result.ContainerId, cancellationToken);
            }
        }
        _backend.CacheStore(key, state.Image.Id!.Value);
    }

    private async Task RemoveAsync(string containerId, CancellationToken cancellationToken)
    {
        await _backend.RemoveContainerAsync(containerId, cancellationToken);
        if (!_options.Quiet)
        {
            await _output.WriteAsync($"Removing intermediate container {containerId[..12]}\n", cancellationToken);
        }
    }

    private async Task CommitTarAsync(StageState state, string tarPath, RunConfig config, string createdBy, string key, CancellationToken cancellationToken)
    {
        try
        {
            await using var layer = File.OpenRead(tarPath);
            state.Image = await _backend.CommitAsync(state.Image, layer, config, createdBy, cancellationToken);
        }
        finally
        {
            File.Delete(tarPath);
        }
        state.Config = config;
        _backend.CacheStore(key, state.Image.Id!.Value);
    }

    /// <summary>--chown user[:group] with names from the image's /etc/passwd and /etc/group.</summary>
    private static (int Uid, int Gid) ResolveChown(string? spec, LayeredView image)
    {
        if (string.IsNullOrEmpty(spec))
        {
            return (0, 0);
        }
        var parts = spec.Split(':', 2);
        int uid = LookupId(parts[0], image, "/etc/passwd", "user", out int primaryGid);
        int gid = parts.Length == 2 ? LookupId(parts[1], image, "/etc/group", "group", out _) : (uint.TryParse(parts[0], out _) ? uid : primaryGid);
        return (uid, gid);
    }

    private static int LookupId(string name, LayeredView image, string file, string kind, out int primaryGid)
    {
        primaryGid = 0;
        if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int id))
        {
            primaryGid = id;
            return id;
        }
        foreach (var line in (image.ReadText(file) ?? "").Split('\n'))
        {
            var fields = line.Split(':');
            if (fields.Length >= 3 && fields[0] == name && int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out id))
            {
                if (fields.Length >= 4 && int.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out int gid))
                {
                    primaryGid = gid;
                }
                return id;
            }
        }
        throw DaemonException.InvalidParameter($"unable to convert uid/gid chown string to host mapping: can't find uid for user {name}: no such {kind}: {name}");
    }
}
