import { createApp } from 'vue';
import ElementPlus from 'element-plus';
import 'element-plus/dist/index.css';
import App from './App.vue';
import { i18n } from './i18n/index.js';
import { router } from './router/index.js';
import './styles/main.css';

const app = createApp(App);
app.use(ElementPlus);
app.use(i18n);
app.use(router);
app.mount('#app');
