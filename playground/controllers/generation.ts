// Text generation from a loaded GPT-2-style model as a Lit ReactiveController: it runs GPT.generate with the
// panel's settings, shows the continuation token by token as generate reports them, measures tokens per second,
// and stops on request (or when the host goes away) through generate's abort signal.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { nn } from '../../engine/index';
import { errorMessage } from '../dom';

export interface GenerationSettings {
  prompt: string;
  maxNewTokens: number;
  /** 0 is greedy. */
  temperature: number;
  /** 0 keeps every token. */
  topK: number;
  seed: number;
}

export class GenerationController implements ReactiveController {
  running = false;
  /** The prompt as the tokenizer reads it back, then the continuation as it grows. */
  prompt = '';
  continuation = '';
  produced = 0;
  /** New tokens per second since Generate was pressed (the prompt's own pass included), or null before the first. */
  tokensPerSecond: number | null = null;
  error = '';
  private _abort: AbortController | null = null;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.stop();
  }

  stop(): void {
    this._abort?.abort();
  }

  async run(model: nn.GPT, tokenizer: nn.GPT2Tokenizer, s: GenerationSettings): Promise<void> {
    if (this.running) return;
    const abort = (this._abort = new AbortController());
    const encoded = tokenizer.encode(s.prompt);
    // An empty prompt starts from <|endoftext|>, as GPT-2 was trained to begin a document after one.
    const prompt = encoded.length ? encoded : [tokenizer.eosTokenId];
    const added: number[] = [];
    Object.assign(this, { running: true, prompt: encoded.length ? tokenizer.decode(encoded) : '', continuation: '', produced: 0, tokensPerSecond: null, error: '' });
    this.host.requestUpdate();
    const start = performance.now();
    try {
      await model.generate(prompt, {
        maxNewTokens: s.maxNewTokens,
        temperature: s.temperature,
        topK: s.topK > 0 ? s.topK : undefined,
        seed: s.seed,
        signal: abort.signal,
        onToken: (token) => {
          added.push(token);
          // Decoded whole each time: one token may end in half a UTF-8 character that the next one completes.
          this.continuation = tokenizer.decode(added);
          this.produced = added.length;
          this.tokensPerSecond = added.length / Math.max(1e-3, (performance.now() - start) / 1000);
          this.host.requestUpdate();
        },
      });
    } catch (e) {
      // Stop rejects generate with the signal's reason; what was produced until then stays shown.
      if (!abort.signal.aborted) this.error = errorMessage(e);
    } finally {
      this.running = false;
      this._abort = null;
      this.host.requestUpdate();
    }
  }
}
