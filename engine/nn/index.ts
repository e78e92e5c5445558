export { Module } from './module';
export { Linear, Embedding, LayerNorm, Dropout, ReLU, GELU, Tanh, Sigmoid, Sequential, MLP, type Activation } from './layers';
