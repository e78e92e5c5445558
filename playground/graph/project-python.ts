// The text of an exported training project's train.py and README.md (export-project.ts assembles the files).
//
// train.py holds only literal numbers and names: node ids and ports (checked to be Python identifiers by ids.ts
// and the node tables), the optimizer's class from a fixed list, and JSON-encoded numbers. User text (the graph's
// name) reaches only comments, with line breaks removed.
import type { OptimizerName } from './train';

/** One data node as data.safetensors holds it. */
export interface ProjectDataNode {
  id: string;
  kind: 'examples' | 'stream';
  /** Every output port, in the node's order; for a stream, the window and the window one id later. */
  ports: readonly string[];
  blockSize?: number;
  /** Training examples shipped (for a stream, the number of windows) and held-out examples (0 when none). */
  trainExamples: number;
  heldOutExamples: number;
  vocabulary?: string;
  /** The examples are a fixed draw from a generator the playground samples afresh for every batch. */
  generated?: boolean;
}

export interface ProjectSpec {
  title: string;
  className: string;
  optimizer: OptimizerName;
  lr: number;
  batchSize: number;
  seed: number;
  /** How often the playground measures held-out accuracy, in steps. */
  evalEvery: number;
  data: readonly ProjectDataNode[];
  /** forward()'s arguments, in order. */
  inputs: ReadonlyArray<{ node: string; port: string }>;
  accuracy: { logits: string; target: string } | null;
  /** Whether some parameters feed no loss (DDP must then look for parameters without a gradient each step). */
  unusedParameters: boolean;
}

const TORCH_OPTIMIZER: Record<OptimizerName, string> = {
  adam: 'torch.optim.Adam(model.parameters(), lr=LR)',
  // weight decay 0.01 is PyTorch's default for AdamW, and the engine's
  adamw: 'torch.optim.AdamW(model.parameters(), lr=LR)',
  sgd: 'torch.optim.SGD(model.parameters(), lr=LR)',
};

/** A Python literal for a JSON-representable value (JSON's strings, numbers and lists are Python's too). */
const py = (v: unknown): string => JSON.stringify(v);
const pyNumber = (x: number): string => (Number.isInteger(x) ? `${x}.0` : String(x));

export function trainScript(s: ProjectSpec): string {
  const data = s.data.map((d) => `    ${py(d.id)}: {"kind": ${py(d.kind)}, "ports": [${d.ports.map(py).join(', ')}]${d.blockSize !== undefined ? `, "block_size": ${d.blockSize}` : ''}},`);
  const inputs = s.inputs.map((i) => `(${py(i.node)}, ${py(i.port)})`).join(', ');
  const accuracy = s.accuracy ? `{"logits": ${py(s.accuracy.logits)}, "target": ${py(s.accuracy.target)}}` : 'None';
  return `# ${s.title}: trains ${s.className} (model.py) with the playground's settings, on one CPU, one GPU, or many.
#
#     python train.py                          one process, on the GPU if there is one, else the CPU
#     torchrun --nproc_per_node=N train.py     N processes on this machine, one GPU each (or N CPU processes)
#
# Under torchrun each process trains a DistributedDataParallel copy of the model on its own share of the data
# (a DistributedSampler); after every backward the gradients are averaged across processes, so every copy takes
# the same step. Process 0 alone logs and saves. The distributed setup is read from the environment torchrun sets:
# RANK, LOCAL_RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT.
import argparse
import json
import os

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, Dataset, DistributedSampler
from safetensors.torch import load_file, save_file

from model import ${s.className}

HERE = os.path.dirname(os.path.abspath(__file__))

# The playground's training settings. BATCH_SIZE is per process: N processes take N batches per step.
LR = ${pyNumber(s.lr)}
BATCH_SIZE = ${s.batchSize}
SEED = ${s.seed}
# The playground measures held-out loss and accuracy every EVAL_EVERY steps.
EVAL_EVERY = ${s.evalEvery}

# What data.safetensors holds for each data node: "<node>.train.<port>" and "<node>.held_out.<port>", N examples
# each (first dim N); a "stream" ships its training text as "<node>.train.ids", whose windows of block_size ids
# are its first port and the same windows one id later its second.
DATA = {
${data.join('\n')}
}
# forward()'s arguments, in order, as (data node, port).
INPUTS = [${inputs}]
# What the first cross-entropy compares, as forward()'s result keys or argument names (None without one).
ACCURACY = ${accuracy}


def as_input(t):
    """Token ids and labels are stored as int32; PyTorch's embedding and cross-entropy take int64."""
    return t if t.is_floating_point() else t.long()


def node_examples(tensors, node, split):
    """One data node's examples: a function from index to {port: tensor}, and how many there are."""
    spec = DATA[node]
    if split == "train" and spec["kind"] == "stream":
        ids, t = as_input(tensors[f"{node}.train.ids"]), spec["block_size"]
        first, second = spec["ports"]
        return (lambda i: {first: ids[i : i + t], second: ids[i + 1 : i + t + 1]}), len(ids) - t
    ports = {p: as_input(tensors[f"{node}.{split}.{p}"]) for p in spec["ports"]}
    return (lambda i: {p: v[i] for p, v in ports.items()}), len(next(iter(ports.values())))


class GraphData(Dataset):
    """Example i of every data node, as {node: {port: tensor}}; a node with fewer examples wraps around."""

    def __init__(self, tensors, split):
        self.nodes = {node: node_examples(tensors, node, split) for node in DATA}
        self.n = max(n for _, n in self.nodes.values())

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return {node: get(i % n) for node, (get, n) in self.nodes.items()}


def held_out_batch(tensors):
    """Every held-out example as one batch, or None when a data node has none (as short custom text)."""
    keys = [(node, p, f"{node}.held_out.{p}") for node, spec in DATA.items() for p in spec["ports"]]
    if not all(k in tensors for _, _, k in keys):
        return None
    batch = {}
    for node, p, k in keys:
        batch.setdefault(node, {})[p] = as_input(tensors[k])
    return batch


def forward(net, batch, device):
    """The model's outputs, with its arguments beside them (the accuracy's target may be one)."""
    args = {f"{node}_{port}": batch[node][port].to(device) for node, port in INPUTS}
    return {**args, **net(*args.values())}


@torch.no_grad()
def evaluate(model, batch, device):
    """Loss and accuracy on the held-out batch in eval mode (no dropout), as the playground measures them:
    accuracy is the fraction of positions where the logits' argmax equals the target."""
    model.eval()
    out = forward(model, batch, device)
    model.train()
    accuracy = None
    if ACCURACY is not None:
        accuracy = (out[ACCURACY["logits"]].argmax(-1) == out[ACCURACY["target"]]).float().mean().item()
    return out["loss"].item(), accuracy


def main(argv=None):
    parser = argparse.ArgumentParser(description="Trains ${s.className} with the playground's settings (see README.md).")
    parser.add_argument("--steps", type=int, default=1000, help="optimizer steps to take (default 1000)")
    parser.add_argument("--log-every", type=int, default=10, help="steps between training-loss lines (default 10)")
    parser.add_argument("--out", default=os.path.join(HERE, "trained.safetensors"), help="where process 0 saves the trained weights")
    parser.add_argument("--log", default=os.path.join(HERE, "train_log.jsonl"), help="process 0's log, one JSON object a line")
    args = parser.parse_args(argv)

    # torchrun sets WORLD_SIZE; plain \`python train.py\` does not.
    distributed = "WORLD_SIZE" in os.environ
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    world = int(os.environ.get("WORLD_SIZE", "1"))
    device = torch.device("cuda", local_rank) if torch.cuda.is_available() else torch.device("cpu")
    if device.type == "cuda":
        torch.cuda.set_device(device)
    if distributed:
        # init_method "env://": MASTER_ADDR, MASTER_PORT, RANK and WORLD_SIZE from the environment.
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    # Dropout differs between processes (each sees other examples); the sampler's shuffle must not, so it takes
    # SEED alone.
    torch.manual_seed(SEED + rank)

    model = ${s.className}()
    model.load_state_dict(load_file(os.path.join(HERE, "weights.safetensors")))
    model.to(device)
    if distributed:
        ids = [local_rank] if device.type == "cuda" else None
        net = DistributedDataParallel(model, device_ids=ids${s.unusedParameters ? ', find_unused_parameters=True  # some layers feed no loss' : ''})
    else:
        net = model
    optimizer = ${TORCH_OPTIMIZER[s.optimizer]}

    tensors = load_file(os.path.join(HERE, "data.safetensors"))
    train_set = GraphData(tensors, "train")
    sampler = DistributedSampler(train_set, num_replicas=world, rank=rank, shuffle=True, seed=SEED, drop_last=True)
    loader = DataLoader(train_set, batch_size=BATCH_SIZE, sampler=sampler, drop_last=True)
    if len(loader) == 0:
        raise SystemExit(f"{len(train_set)} training examples are too few for {world} process(es) of batch size {BATCH_SIZE}")
    held_out = held_out_batch(tensors)

    log = open(args.log, "w") if rank == 0 else None

    def report(step, loss):
        """Process 0 prints a line and logs it; held-out loss and accuracy every EVAL_EVERY steps and at the end."""
        if rank != 0:
            return
        entry = {"step": step}
        if loss is not None:
            entry["loss"] = loss
        if held_out is not None and (step % EVAL_EVERY == 0 or step == args.steps):
            entry["held_out_loss"], entry["accuracy"] = evaluate(model, held_out, device)
        if len(entry) == 1:
            return  # step 0 without held-out examples: nothing measured yet
        line = f"step {step:6d}"
        if "loss" in entry:
            line += f"  loss {entry['loss']:.4f}"
        if "held_out_loss" in entry:
            line += f"  held-out loss {entry['held_out_loss']:.4f}"
        if entry.get("accuracy") is not None:
            line += f"  accuracy {100 * entry['accuracy']:.1f}%"
        print(line, flush=True)
        log.write(json.dumps(entry) + "\\n")
        log.flush()

    report(0, None)
    step, epoch = 0, 0
    while step < args.steps:
        sampler.set_epoch(epoch)  # a new shuffle each epoch, the same on every process
        for batch in loader:
            loss = forward(net, batch, device)["loss"]
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step += 1
            if step % args.log_every == 0 or step % EVAL_EVERY == 0 or step == args.steps:
                # The loss of this step's batches on every process, averaged (every process takes part).
                mean = loss.detach().clone()
                if distributed:
                    dist.all_reduce(mean)
                    mean /= world
                report(step, mean.item())
            if step == args.steps:
                break
        epoch += 1

    if rank == 0:
        weights = {name: p.detach().cpu().contiguous() for name, p in model.named_parameters()}
        save_file(weights, args.out, metadata={"format": "pt", "source": "train.py", "steps": str(step)})
        log.close()
        print(f"saved the trained weights to {args.out}", flush=True)
    if distributed:
        dist.barrier()  # the others wait for process 0's save before the group goes away
        dist.destroy_process_group()
    return model


if __name__ == "__main__":
    main()
`;
}

/** How a data node's shipped data reads in the README. */
function describeData(d: ProjectDataNode): string {
  const held = d.heldOutExamples ? `, and ${d.heldOutExamples} held-out examples` : ', and no held-out examples';
  if (d.kind === 'stream') {
    const vocab = d.vocabulary ? ` (the vocabulary, ${d.vocabulary.length} characters, is in the file's metadata)` : '';
    return `- \`${d.id}\`: a token stream of ${d.trainExamples + (d.blockSize ?? 0)} ids${vocab}, cut into ${d.trainExamples} overlapping windows of ${d.blockSize} (\`${d.ports[0]}\`, and \`${d.ports[1]}\` one id later)${held}.`;
  }
  const drawn = d.generated ? ' (a fixed draw: the playground generates fresh ones for every batch)' : '';
  return `- \`${d.id}\`: ${d.trainExamples} training examples of ${d.ports.map((p) => `\`${p}\``).join(', ')}${drawn}${held}.`;
}

export function projectReadme(s: ProjectSpec): string {
  return `# ${s.title}

A PyTorch training project exported from the gpu-learn playground: the graph as a PyTorch module, the weights it
had, its data, and a script that trains it with the playground's settings (${s.optimizer}, learning rate ${s.lr},
batch size ${s.batchSize}, seed ${s.seed}), on one CPU, one GPU, or many GPUs and machines.

## Files

- \`model.py\`: \`${s.className}\`, an \`nn.Module\` with the graph's structure: one submodule per node, named by node
  id, so its parameters have the names the playground gives them.
- \`weights.safetensors\`: the weights the graph had when it was exported. Training starts from them.
- \`data.safetensors\`: the data, as tensors:
${s.data.map((d) => `  ${describeData(d)}`).join('\n')}
  The held-out examples are the ones the playground measures accuracy on.
- \`train.py\`: the training loop.
- \`graph.json\`: the graph itself, to open in the playground again.

## Install

    pip install torch safetensors

PyTorch 1.13 or later. On PyTorch 2, attention uses \`F.scaled_dot_product_attention\` (fused kernels on GPUs).

## Run

One process, on the GPU if there is one, else on the CPU:

    python train.py --steps 1000

N GPUs on one machine (without GPUs, torchrun starts N CPU processes that talk over gloo):

    torchrun --nproc_per_node=N train.py --steps 1000

Several machines, for example 2 with 8 GPUs each: run this on each, with \`--node_rank\` 0 on the machine called
HOST and 1 on the other:

    torchrun --nnodes=2 --node_rank=0 --nproc_per_node=8 --master_addr=HOST --master_port=29500 train.py --steps 1000

Under torchrun every process trains a DistributedDataParallel copy of the model on its own share of each epoch (a
DistributedSampler shuffled with the seed), and the gradients are averaged across processes after every backward,
so all copies stay equal. The batch size is per process: N processes learn from N batches per step. \`train.py\`
reads the distributed setup only from the environment torchrun sets (RANK, LOCAL_RANK, WORLD_SIZE, MASTER_ADDR,
MASTER_PORT), and uses NCCL on GPUs and gloo on CPUs.

## What it prints

Process 0 prints a line every 10 steps (\`--log-every\`) and writes the same numbers to \`train_log.jsonl\`:

- **loss**: the training loss of that step's batches, averaged over the processes;
- **held-out loss** and **accuracy**, every ${s.evalEvery} steps and at the end, as the playground measures them: the
  model in eval mode (no dropout) on all the held-out examples, accuracy being the fraction of predictions (the
  argmax of the logits, at every position for sequences) equal to the target.

At the end process 0 saves the trained weights to \`trained.safetensors\`, under the same names as
\`weights.safetensors\`.

## Back to the playground

In the playground, choose Open… and select \`graph.json\` and \`trained.safetensors\` together: the graph opens with
the trained weights, and measures on the same held-out examples the loss and accuracy \`train.py\` reported last.
`;
}
