using Berth.Bench;

// berth-bench: helper for bench/run.sh. See docs/benchmarks.md.
//   wait-ping --socket S --ready-file F [--timeout SEC]              touch F, then poll until /_ping is 200
//   get     --socket S [--count N] PATH...                         N sequential GETs per path on one connection
//   load    --socket S --path P [--connections K] [--duration SEC] [--warmup SEC]
//   churn   --socket S --image I [--count N] [--parallel K]        create+start+rm -f N containers; prints per_s
//   create  --socket S --image I [--count N] [--parallel K] [--name-prefix P]  create (not start) N containers
//   report  --raw FILE                                              markdown table from the raw results
if (args.Length == 0)
{
    await Console.Error.WriteLineAsync("usage: berth-bench wait-ping|get|load|churn|create|report [options]");
    return 2;
}
try
{
    var options = Options.Parse(args.AsSpan(1));
    return args[0] switch
    {
        "wait-ping" => Commands.WaitPing(options),
        "get" => await Commands.GetAsync(options).ConfigureAwait(false),
        "load" => await Commands.LoadAsync(options).ConfigureAwait(false),
        "report" => Report.Run(options),
        "churn" => await Churn.RunAsync(options).ConfigureAwait(false),
        "create" => await CreateMany.RunAsync(options).ConfigureAwait(false),
        _ => throw new ArgumentException($"unknown command '{args[0]}'"),
    };
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync($"berth-bench: {e.Message}");
    return 2;
}
